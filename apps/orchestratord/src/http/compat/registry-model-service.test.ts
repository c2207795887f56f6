// The local model API over the real ModelRegistry and the repo's bundled models (real pipelines in
// worker threads, exact outputs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAdapter } from '@orch/adapter-api/testing';
import { DEFAULT_MODELS_DIR, ModelRegistry } from '@orch/local-transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockOrchestrator } from '../routes/__test-utils__/mock-orchestrator.js';
import { type Harness, startHarness } from '../routes/__test-utils__/route-harness.js';
import { createLocalModelRoutes } from '../routes/local-models.js';
import { createRegistryModelService } from './registry-model-service.js';

let dir: string;
let registry: ModelRegistry;
let h: Harness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchd-registry-'));
  registry = await ModelRegistry.open({ path: join(dir, 'registry.json'), modelsDir: DEFAULT_MODELS_DIR });
  const orchestrator = new MockOrchestrator({ adapters: { m: new MockAdapter() } });
  h = await startHarness(orchestrator, [createLocalModelRoutes(createRegistryModelService(registry))]);
});
afterAll(async () => {
  await h.close();
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.url}/api/huggingface${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('local model API over the ModelRegistry', () => {
  it('[ORCHD-LM-1] lists the seeded bundled models, filters by type', async () => {
    const all = await call('GET', '/models');
    expect(all.json.count).toBe(5);
    const gen = await call('GET', '/models?type=text-generation');
    expect(gen.json).toMatchObject({
      count: 1,
      models: [{ model_id: 'orch-tiny-llama', source: 'orch-tiny-llama' }],
    });
    expect((await call('GET', '/models?type=no-such-type')).json.count).toBe(0);
  });

  it('[ORCHD-LM-5] generate and pipelines run the real models with exact outputs', async () => {
    const gen = await call('POST', '/generate', { model_id: 'orch-tiny-llama', prompt: 'orch is' });
    expect(gen.json).toMatchObject({
      success: true,
      model_id: 'orch-tiny-llama',
      generated_text: 'orch is a job orchestrator for language models.',
    });
    const t5 = await call('POST', '/generate', { model_id: 'orch-tiny-t5', inputs: 'hello world' });
    expect(t5.json.generated_text).toBe('bonjour monde');

    const sa = await call('POST', '/pipeline', { task: 'sentiment-analysis', inputs: 'great and helpful' });
    expect(sa.json).toMatchObject({ success: true, result: [{ label: 'POSITIVE' }] });
    const qa = await call('POST', '/pipeline', {
      task: 'question-answering',
      model_id: 'orch-tiny-qa',
      inputs: {
        question: 'The daemon listens on which port?',
        context: 'the daemon listens on port 8080 by default.',
      },
    });
    expect(qa.json).toMatchObject({ success: true, result: { answer: '8080' } });
    const chat = await call('POST', '/pipeline', {
      task: 'conversational',
      inputs: [{ role: 'user', content: 'What is orch?' }],
    });
    expect(chat.json.result).toEqual({
      message: { role: 'assistant', content: 'orch is a job orchestrator for language models.' },
    });

    const stats = await call('GET', '/statistics');
    expect(stats.json).toMatchObject({ statistics: { total_models: 5, total_usage: 5 } });
    const cache = await call('GET', '/cache');
    expect((cache.json.cache as { loaded: unknown[] }).loaded.length).toBeGreaterThan(0);
  });

  it('[ORCHD-LM-2] the registry errors keep their status and field', async () => {
    const badParams = await call('POST', '/generate', {
      model_id: 'orch-tiny-llama',
      prompt: 'x',
      parameters: { top_p: 7 },
    });
    expect(badParams.status).toBe(400);
    expect(badParams.json.success).toBe(false);
    const notGen = await call('POST', '/generate', { model_id: 'orch-tiny-qa', prompt: 'x' });
    expect(notGen.json).toMatchObject({ success: false, field: 'model_id' });
    const wrongTask = await call('POST', '/pipeline', {
      task: 'fill-mask',
      model_id: 'orch-tiny-qa',
      inputs: 'x',
    });
    expect(wrongTask.json).toMatchObject({ success: false, field: 'task' });
  });

  it('[ORCHD-LM-3] [ORCHD-LM-4] add, update, load, clear, delete persist through the registry', async () => {
    const added = await call('POST', '/models', {
      model_id: 'my/sentiment',
      model_type: 'sentiment-analysis',
      source: 'orch-tiny-sentiment',
    });
    expect(added.status).toBe(201);
    expect((await call('PUT', '/models/my%2Fsentiment', { added_date: 'x' })).json).toMatchObject({
      success: false,
      field: 'added_date',
    });
    const upd = await call('PUT', '/models/my%2Fsentiment', { description: 'mine' });
    expect(upd.json).toMatchObject({ model: { description: 'mine' } });
    const loaded = await call('POST', '/models/my%2Fsentiment/load', { force_reload: true });
    expect(loaded.json).toMatchObject({ success: true, model_id: 'my/sentiment', device: 'cpu' });
    expect((await call('DELETE', '/cache?model_id=my%2Fsentiment')).json.cleared).toEqual(['my/sentiment']);
    expect((await call('DELETE', '/models/my%2Fsentiment')).json.success).toBe(true);
    const reopened = await ModelRegistry.open({
      path: join(dir, 'registry.json'),
      modelsDir: DEFAULT_MODELS_DIR,
    });
    expect(reopened.list().map((m) => m.model_id)).not.toContain('my/sentiment');
    await reopened.close();
  });
});
