import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOrchError } from '@orch/adapter-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelsIntoTempDir } from '../__fixtures__/built-models.js';
import { ModelRegistry } from './model-registry.js';
import { RegistryCorruptError } from './registry-store.js';

async function caught(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('ModelRegistry records and persistence', () => {
  let dir: string;
  let clock = 0;
  const now = () => new Date(Date.UTC(2026, 0, 1, 0, 0, clock++));
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orch-registry-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('[LT-REG-1] a new registry holds the repo models and survives a reopen', async () => {
    const path = join(dir, 'seeded.json');
    const a = await ModelRegistry.open({ path }, now);
    expect(a.list().map((m) => m.model_id)).toEqual([
      'orch-tiny-llama',
      'orch-tiny-t5',
      'orch-tiny-qa',
      'orch-tiny-bert',
      'orch-tiny-sentiment',
    ]);
    const b = await ModelRegistry.open({ path }, now);
    expect(b.list()).toEqual(a.list());
    expect(b.list({ model_type: 'fill-mask' }).map((m) => m.model_id)).toEqual(['orch-tiny-bert']);
  });

  it('[LT-REG-2] add / get / update / remove, with protected fields and named errors', async () => {
    const path = join(dir, 'crud.json');
    const reg = await ModelRegistry.open({ path, seedDefaults: false }, now);
    const added = await reg.add({ model_id: 'my/model', name: 'Mine', model_type: 'text-generation' });
    expect(added).toMatchObject({ source: 'my/model', usage_count: 0, last_used: null, status: 'available' });
    const dup = await caught(reg.add({ model_id: 'my/model', name: 'Again', model_type: 'fill-mask' }));
    expect(isOrchError(dup) && [dup.code, dup.field, dup.status]).toEqual([
      'INVALID_REQUEST',
      'model_id',
      409,
    ]);
    const bad = await caught(reg.add({ model_id: 'x', name: 'X', model_type: 'image-generation' }));
    expect(isOrchError(bad) && bad.field).toBe('model_type');
    for (const field of ['model_id', 'added_date', 'usage_count']) {
      const err = await caught(reg.update('my/model', { [field]: 'x' }));
      expect(isOrchError(err) && [err.code, err.field]).toEqual(['INVALID_REQUEST', field]);
    }
    const updated = await reg.update('my/model', {
      description: 'better',
      parameters: { max_new_tokens: 5 },
    });
    expect(updated).toMatchObject({ description: 'better', parameters: { max_new_tokens: 5 }, name: 'Mine' });
    expect((await ModelRegistry.open({ path }, now)).get('my/model').description).toBe('better');
    await reg.remove('my/model');
    const gone = await caught(() => reg.get('my/model'));
    expect(isOrchError(gone) && gone.code).toBe('NOT_FOUND');
    expect((await ModelRegistry.open({ path }, now)).list()).toEqual([]);
  });

  it('[LT-REG-3] a corrupt or half-written file is reported, never replaced', async () => {
    const path = join(dir, 'corrupt.json');
    const good = await ModelRegistry.open({ path }, now);
    const text = await readFile(path, 'utf8');
    const half = text.slice(0, Math.floor(text.length / 2));
    await writeFile(path, half);
    const err = await caught(ModelRegistry.open({ path }, now));
    expect(err).toBeInstanceOf(RegistryCorruptError);
    expect(String((err as Error).message)).toMatch(/not valid JSON/);
    expect(await readFile(path, 'utf8')).toBe(half);
    await writeFile(path, JSON.stringify({ version: 1, models: [{ model_id: 'x' }] }));
    const schemaErr = await caught(ModelRegistry.open({ path }, now));
    expect((schemaErr as Error).message).toMatch(/models\.0\./);
    expect(good.list().length).toBe(5);
  });
});

describe('ModelRegistry pipelines and cache', () => {
  let built: Awaited<ReturnType<typeof buildModelsIntoTempDir>>;
  let reg: ModelRegistry;
  let dir: string;
  beforeAll(async () => {
    built = await buildModelsIntoTempDir();
    dir = await mkdtemp(join(tmpdir(), 'orch-registry-p-'));
    reg = await ModelRegistry.open({ path: join(dir, 'r.json'), modelsDir: built.dir, maxLoadedModels: 2 });
  });
  afterAll(async () => {
    await reg.close();
    await built.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('[LT-REG-4] runs every task pipeline with exact outputs and counts usage', async () => {
    expect(await reg.run('orch-tiny-llama', 'text-generation', { inputs: 'orch is' })).toEqual([
      { generated_text: 'orch is a job orchestrator for language models.' },
    ]);
    expect(
      await reg.run('orch-tiny-llama', 'conversational', {
        messages: [{ role: 'user', content: 'What is orch?' }],
      }),
    ).toEqual({ message: { role: 'assistant', content: 'orch is a job orchestrator for language models.' } });
    expect(await reg.run('orch-tiny-t5', 'text2text-generation', { inputs: 'hello world' })).toEqual([
      { generated_text: 'bonjour monde' },
    ]);
    expect(await reg.run('orch-tiny-t5', 'translation', { inputs: 'the cat drinks milk' })).toEqual([
      { translation_text: 'le chat boit lait' },
    ]);
    expect(await reg.run('orch-tiny-t5', 'summarization', { inputs: 'orch runs jobs quite well.' })).toEqual([
      { summary_text: 'orch runs jobs well.' },
    ]);
    const qa = await reg.run('orch-tiny-qa', 'question-answering', {
      inputs: {
        question: 'The daemon listens on which port?',
        context: 'the daemon listens on port 8080 by default.',
      },
    });
    expect(qa.answer).toBe('8080');
    const fm = await reg.run('orch-tiny-bert', 'fill-mask', {
      inputs: 'the daemon keeps a [MASK] queue.',
      parameters: { top_k: 1 },
    });
    expect(fm[0]).toMatchObject({ token_str: 'bounded', sequence: 'the daemon keeps a bounded queue.' });
    const sa = await reg.run('orch-tiny-sentiment', 'sentiment-analysis', { inputs: 'great and helpful' });
    expect(sa[0]?.label).toBe('POSITIVE');
    const tc = await reg.run('orch-tiny-sentiment', 'text-classification', {
      inputs: 'it crashes, the worst',
    });
    expect(tc[0]?.label).toBe('NEGATIVE');
    expect(reg.get('orch-tiny-t5')).toMatchObject({ usage_count: 3, last_used: expect.any(String) });
    const stats = reg.statistics();
    expect(stats).toMatchObject({ total_models: 5, total_usage: 9, most_used: { model_id: 'orch-tiny-t5' } });
    expect(stats.by_type).toMatchObject({ 'text-generation': 1, 'fill-mask': 1 });
  });

  it('[LT-REG-5] validates task input per task and refuses tasks the model cannot run', async () => {
    const bad = await caught(reg.run('orch-tiny-qa', 'question-answering', { inputs: { question: 'q' } }));
    expect(isOrchError(bad) && [bad.code, bad.field]).toEqual(['INVALID_REQUEST', 'inputs.context']);
    const badParam = await caught(
      reg.run('orch-tiny-llama', 'text-generation', { inputs: 'x', parameters: { top_p: 7 } }),
    );
    expect(isOrchError(badParam) && badParam.field).toBe('parameters.top_p');
    const wrong = await caught(reg.run('orch-tiny-qa', 'fill-mask', { inputs: 'x [MASK]' }));
    expect(isOrchError(wrong) && [wrong.code, wrong.field]).toEqual(['INVALID_REQUEST', 'task']);
  });

  it('[LT-REG-6] load, cache info, LRU eviction, force_reload and clear cache', async () => {
    await reg.clearCache();
    expect(reg.cacheInfo().loaded).toEqual([]);
    const first = await reg.load('orch-tiny-qa');
    expect(first).toMatchObject({ model_id: 'orch-tiny-qa', device: 'cpu' });
    await reg.load('orch-tiny-bert');
    await reg.load('orch-tiny-sentiment');
    // maxLoadedModels is 2: the least recently used (qa) was unloaded.
    expect(reg.cacheInfo().loaded.map((e) => e.model_id)).toEqual(['orch-tiny-bert', 'orch-tiny-sentiment']);
    expect(reg.get('orch-tiny-qa').status).toBe('available');
    expect(reg.get('orch-tiny-bert').status).toBe('loaded');
    const again = await reg.load('orch-tiny-bert');
    const reloaded = await reg.load('orch-tiny-bert', { force_reload: true });
    expect(reloaded.loaded_at >= again.loaded_at).toBe(true);
    expect(await reg.clearCache('orch-tiny-sentiment')).toEqual({ cleared: ['orch-tiny-sentiment'] });
    expect(reg.cacheInfo().loaded.map((e) => e.model_id)).toEqual(['orch-tiny-bert']);
    expect(await reg.clearCache()).toEqual({ cleared: ['orch-tiny-bert'] });
  });

  it('[LT-REG-7] a model that cannot load is marked error with the reason', async () => {
    await reg.add({ model_id: 'missing', name: 'Missing', model_type: 'fill-mask' });
    const err = await caught(reg.load('missing'));
    expect(isOrchError(err) && err.code).toBe('NOT_FOUND');
    expect(reg.get('missing')).toMatchObject({
      status: 'error',
      status_message: expect.stringMatching(/not found/),
    });
  });

  it('[LT-REG-8] reports the inference stack versions and devices', () => {
    const deps = reg.dependencies();
    expect(deps.transformers_js).toBe('4.3.1');
    expect(deps.onnxruntime_node).toMatch(/^\d+\.\d+\.\d+/);
    expect(deps.devices.find((d) => d.name === 'cpu')).toMatchObject({ available: true });
    expect(typeof deps.cuda_available).toBe('boolean');
    expect(reg.modelTypes()).toContain('conversational');
  });

  it('[LT-REG-10] a stuck pipeline call times out, its worker is replaced on next use; an abort stops waiting', async () => {
    const slow = await ModelRegistry.open({
      path: join(dir, 'slow.json'),
      modelsDir: built.dir,
      callTimeoutMs: 1,
    });
    const first = await slow.load('orch-tiny-sentiment');
    const big = Array.from({ length: 15_000 }, (_, i) => (i % 2 ? 'great' : 'bug')).join(' ');
    const err = await caught(slow.run('orch-tiny-sentiment', 'sentiment-analysis', { inputs: big }));
    expect(isOrchError(err) && err.code).toBe('TIMEOUT');
    expect(slow.cacheInfo().loaded).toEqual([]);
    const again = await slow.load('orch-tiny-sentiment');
    expect(again.loaded_at >= first.loaded_at).toBe(true);
    await slow.close();

    const ac = new AbortController();
    ac.abort();
    const aborted = await caught(
      reg.run('orch-tiny-sentiment', 'sentiment-analysis', { inputs: 'good' }, { signal: ac.signal }),
    );
    expect(isOrchError(aborted) && aborted.code).toBe('CANCELLED');
  });
});
