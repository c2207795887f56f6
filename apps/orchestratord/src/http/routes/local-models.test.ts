import { MockAdapter } from '@orch/adapter-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryModelService } from './__test-utils__/memory-model-service.js';
import { MockOrchestrator } from './__test-utils__/mock-orchestrator.js';
import { type Harness, startHarness } from './__test-utils__/route-harness.js';
import { createLocalModelRoutes, localModelRoutes } from './local-models.js';

const service = new MemoryModelService();
const orchestrator = new MockOrchestrator({ adapters: { m: new MockAdapter() } });
let h: Harness;

beforeAll(async () => {
  h = await startHarness(orchestrator, [createLocalModelRoutes(service)]);
});
afterAll(() => h.close());

const api = '/api/huggingface';
const enc = encodeURIComponent;

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${h.url}${api}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('local model API', () => {
  it('[ORCHD-LM-1] add, get (id with / URL-encoded), list with ?type=', async () => {
    const added = await call('POST', '/models', {
      model_id: 'orch/tiny-lm',
      model_type: 'text-generation',
      description: 'bundled',
      parameters: { max_new_tokens: 8 },
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ success: true, model: { model_id: 'orch/tiny-lm', usage_count: 0 } });
    await call('POST', '/models', { model_id: 'orch/sentiment', model_type: 'sentiment-analysis' });

    const one = await call('GET', `/models/${enc('orch/tiny-lm')}`);
    expect(one.json).toMatchObject({ success: true, model: { name: 'orch/tiny-lm', status: 'available' } });

    const all = await call('GET', '/models');
    expect(all.json.count).toBe(2);
    const filtered = await call('GET', '/models?type=sentiment-analysis');
    expect(filtered.json).toMatchObject({
      success: true,
      count: 1,
      models: [{ model_id: 'orch/sentiment' }],
    });
  });

  it('[ORCHD-LM-2] validation: 400 names the field; duplicates and unknown ids are refused', async () => {
    const bad = await call('POST', '/models', { model_id: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ success: false, field: 'model_type' });
    expect(String(bad.json.error)).toContain('model_type');

    const dup = await call('POST', '/models', { model_id: 'orch/tiny-lm', model_type: 'text-generation' });
    expect(dup.status).toBe(400);
    expect(dup.json.error).toContain('already exists');

    const traversal = await call('POST', '/models', { model_id: 'a/../b', model_type: 'fill-mask' });
    expect(traversal.status).toBe(400);

    const missing = await call('GET', `/models/${enc('no/such')}`);
    expect(missing).toEqual({ status: 404, json: { success: false, error: 'Model no/such not found' } });

    const notJson = await fetch(`${h.url}${api}/models`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { success: boolean }).success).toBe(false);
  });

  it('[ORCHD-LM-3] update: protected fields refused, others applied; delete', async () => {
    const locked = await call('PUT', `/models/${enc('orch/tiny-lm')}`, { usage_count: 99 });
    expect(locked.status).toBe(400);
    expect(locked.json).toMatchObject({ success: false, field: 'usage_count' });

    const unknown = await call('PUT', `/models/${enc('orch/tiny-lm')}`, { colour: 'red' });
    expect(unknown.status).toBe(400);

    const ok = await call('PUT', `/models/${enc('orch/tiny-lm')}`, { description: 'updated' });
    expect(ok.json).toMatchObject({ success: true, model: { description: 'updated', usage_count: 0 } });

    await call('POST', '/models', { model_id: 'tmp', model_type: 'fill-mask' });
    expect((await call('DELETE', '/models/tmp')).json.success).toBe(true);
    expect((await call('DELETE', '/models/tmp')).status).toBe(404);
  });

  it('[ORCHD-LM-4] load, cache info, clear cache', async () => {
    const loaded = await call('POST', `/models/${enc('orch/tiny-lm')}/load`);
    expect(loaded.json).toMatchObject({
      success: true,
      model_id: 'orch/tiny-lm',
      device: 'cpu',
      cached: false,
    });
    const again = await call('POST', `/models/${enc('orch/tiny-lm')}/load`, { force_reload: false });
    expect(again.json.cached).toBe(true);
    const bad = await call('POST', `/models/${enc('orch/tiny-lm')}/load`, { force_reload: 'yes' });
    expect(bad.json).toMatchObject({ success: false, field: 'force_reload' });

    const cache = await call('GET', '/cache');
    expect(cache.json).toMatchObject({ success: true, cache: { count: 1 } });
    const cleared = await call('DELETE', `/cache?model_id=${enc('orch/tiny-lm')}`);
    expect(cleared.json).toMatchObject({ success: true, cleared: ['orch/tiny-lm'] });
    expect((await call('GET', '/cache')).json).toMatchObject({ cache: { count: 0 } });
  });

  it('[ORCHD-LM-5] generate and pipeline count usage; statistics reflect it', async () => {
    const gen = await call('POST', '/generate', {
      model_id: 'orch/tiny-lm',
      prompt: 'Say hi',
      parameters: { max_new_tokens: 2 },
    });
    expect(gen.json).toEqual({
      success: true,
      model_id: 'orch/tiny-lm',
      generated_text: 'Hello,',
      finish_reason: 'length',
    });
    const noPrompt = await call('POST', '/generate', { model_id: 'orch/tiny-lm' });
    expect(noPrompt.json).toMatchObject({ success: false, field: 'prompt' });

    const pipe = await call('POST', '/pipeline', {
      task: 'sentiment-analysis',
      model_id: 'orch/sentiment',
      inputs: 'I love it',
    });
    expect(pipe.json).toMatchObject({
      success: true,
      task: 'sentiment-analysis',
      result: [{ label: 'POSITIVE' }],
    });
    const badTask = await call('POST', '/pipeline', { task: 'image-to-text', inputs: 'x' });
    expect(badTask.json).toMatchObject({ success: false, field: 'task' });

    const stats = await call('GET', '/statistics');
    expect(stats.json).toMatchObject({
      success: true,
      statistics: { total_models: 2, total_usage: 2, by_type: { 'text-generation': 1 } },
    });
    expect((await call('GET', `/models/${enc('orch/tiny-lm')}`)).json).toMatchObject({
      model: { usage_count: 1 },
    });
  });

  it('[ORCHD-LM-6] model types, dependencies, 500 on a registry failure', async () => {
    const types = await call('GET', '/model-types');
    expect(types.json.model_types).toContain('question-answering');
    const deps = await call('GET', '/dependencies');
    expect(deps.json).toMatchObject({ success: true, dependencies: { cuda_available: false } });
    service.failNext = new Error('registry file is corrupt');
    const failed = await call('GET', '/statistics');
    expect(failed).toEqual({ status: 500, json: { success: false, error: 'registry file is corrupt' } });
  });

  it('[ORCHD-LM-7] writes are admin routes, reads user routes', () => {
    const auth = (m: string, p: string) =>
      h.routes.find((r) => r.method === m && r.pattern === `${api}${p}`)?.auth;
    expect(auth('POST', '/models')).toBe('admin');
    expect(auth('PUT', '/models/:model_id')).toBe('admin');
    expect(auth('DELETE', '/models/:model_id')).toBe('admin');
    expect(auth('POST', '/models/:model_id/load')).toBe('admin');
    expect(auth('DELETE', '/cache')).toBe('admin');
    expect(auth('GET', '/models')).toBe('user');
    expect(auth('POST', '/generate')).toBe('user');
  });

  it('[ORCHD-LM-8] without a registry service the routes answer 503 {success:false}', async () => {
    const off = await startHarness(orchestrator, [localModelRoutes]);
    try {
      const r = await fetch(`${off.url}${api}/models`);
      expect(r.status).toBe(503);
      expect(((await r.json()) as { success: boolean }).success).toBe(false);
    } finally {
      await off.close();
    }
  });
});
