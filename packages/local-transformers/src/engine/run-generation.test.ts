import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelsIntoTempDir } from '../__fixtures__/built-models.js';
import { type LoadedModel, loadCausalLm } from './load-model.js';
import { runGeneration } from './run-generation.js';
import { CANCEL_SLOT, type FromWorker, type GenerateRequest } from './worker-protocol.js';

describe('runGeneration (the worker body, run in-process)', () => {
  let built: Awaited<ReturnType<typeof buildModelsIntoTempDir>>;
  let model: LoadedModel;
  beforeAll(async () => {
    built = await buildModelsIntoTempDir();
    model = await loadCausalLm(
      { type: 'load', model: 'orch-tiny-llama', modelsDir: built.dir, allowRemote: false, device: 'cpu' },
      () => {},
    );
  });
  afterAll(async () => {
    await model.model.dispose();
    await built.cleanup();
  });

  const request = (seq: number, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
    type: 'generate',
    seq,
    prompt: 'orch streams',
    maxNewTokens: 50,
    doSample: false,
    stop: [],
    ...extra,
  });

  it('[LT-CANCEL-1] a cancel written to the shared word stops generation after the current token', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const messages: FromWorker[] = [];
    await runGeneration(model, request(7), {
      shared,
      post: (m) => {
        messages.push(m);
        // The main thread cancels as soon as it sees the first token.
        if (m.type === 'tokens') Atomics.store(shared, CANCEL_SLOT, 7);
      },
      hangUntilCancelled: async () => {},
      cancelledByMessage: new Set(),
    });
    expect(messages.map((m) => m.type)).toEqual(['started', 'tokens', 'cancelled']);
    const tokens = messages[1]?.type === 'tokens' ? messages[1].tokens : [];
    expect(tokens.map((t) => t.text)).toEqual(['every']);
  });

  it('[LT-CANCEL-2] a cancel for another job does not stop this one', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(shared, CANCEL_SLOT, 6);
    const messages: FromWorker[] = [];
    await runGeneration(model, request(8), {
      shared,
      post: (m) => messages.push(m),
      hangUntilCancelled: async () => {},
      cancelledByMessage: new Set(),
    });
    const end = messages.at(-1);
    expect(end?.type === 'end' && end.text).toBe('every token to you as soon as the model makes it.');
    const all = messages.flatMap((m) => (m.type === 'tokens' || m.type === 'end' ? m.tokens : []));
    expect(all.map((t) => t.text).join('')).toBe('every token to you as soon as the model makes it.');
    expect(end?.type === 'end' && end.completionTokens).toBe(all.length);
  });
});
