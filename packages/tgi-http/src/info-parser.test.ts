import { describe, expect, it } from 'vitest';
import { INFO } from './__fixtures__/mock-tgi.js';
import { parseTgiInfo, versionAtLeast } from './info-parser.js';

// The /info body the MockAgent fixtures serve, with a model sha set.
const CURRENT = { ...INFO, model_sha: 'abc' };

const LEGACY = {
  model_id: 'bigscience/bloom-560m',
  model_sha: null,
  model_dtype: 'torch.float16',
  model_device_type: 'cuda',
  model_pipeline_tag: null,
  max_concurrent_requests: 128,
  max_best_of: 2,
  max_stop_sequences: 4,
  max_input_length: 1024,
  max_total_tokens: 2048,
  waiting_served_ratio: 1.2,
  max_batch_total_tokens: 32000,
  max_waiting_tokens: 20,
  max_batch_size: null,
  validation_workers: 2,
  max_client_batch_size: 4,
  version: '2.0.4',
  sha: 'deadbeef',
  docker_label: 'sha-deadbee',
};

describe('/info parser', () => {
  it('[TGI-PROPS-1] reads the current field names', () => {
    const r = parseTgiInfo(CURRENT);
    expect(r.ok && r.info).toEqual({
      modelId: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
      version: '3.3.6-dev0',
      maxInputTokens: 2047,
      maxTotalTokens: 2048,
      maxConcurrentRequests: 128,
      maxStopSequences: 4,
      maxBestOf: 2,
      pipelineTag: 'text-generation',
      semver: [3, 3, 6],
    });
  });

  it('[TGI-PROPS-1] reads the pre-2.1 field names (max_input_length)', () => {
    const r = parseTgiInfo(LEGACY);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.info.maxInputTokens).toBe(1024);
      expect(r.info.version).toBe('2.0.4');
      expect(r.info.dockerLabel).toBe('sha-deadbee');
    }
  });

  it('[TGI-PROPS-1] rejects a body without model_id, naming the field', () => {
    const r = parseTgiInfo({ version: '3.0.0', max_total_tokens: 'lots' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues.map((i) => i.path.join('.'))).toEqual(['model_id', 'max_total_tokens']);
  });

  it('compares versions', () => {
    expect(versionAtLeast([2, 1, 0], [2, 1, 0])).toBe(true);
    expect(versionAtLeast([2, 0, 4], [2, 1, 0])).toBe(false);
    expect(versionAtLeast([3, 0, 0], [2, 9, 9])).toBe(true);
    expect(versionAtLeast(undefined, [9, 0, 0])).toBe(true);
  });
});
