// The compat APIs, the local model API and @orch/client through the real daemon (startDaemon):
// its server, router, bearer auth, queue and dispatch, with MockAdapter replicas behind it.
import { chatCompletion, textGenerationStream } from '@huggingface/inference';
import { OrchClient } from '@orch/client';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryModelService } from './__test-utils__/memory-model-service.js';
import { type MockDaemon, startMockDaemon } from './__test-utils__/mock-daemon.js';

const TOKEN = 'user-token-123';
const ADMIN = 'admin-token-456';
let d: MockDaemon;

beforeAll(async () => {
  d = await startMockDaemon({
    env: { ORCHD_TOKEN: TOKEN, ORCHD_ADMIN_TOKEN: ADMIN },
    localModels: new MemoryModelService(),
  });
});
afterAll(() => d.close());
afterEach(() => {
  const a = d.adapters.get('r0');
  a?.reset();
});

const engine = () => {
  const a = d.adapters.get('r0');
  if (!a) throw new Error('the daemon built no mock adapter');
  return a;
};

describe('through the daemon', () => {
  it('[ORCHD-OAI-E2E] the openai SDK: chat non-stream, stream with usage, completions, models', async () => {
    const client = new OpenAI({ baseURL: `${d.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const r = await client.chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0]?.message.content).toBe('Hello, world!');

    const stream = await client.chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = 0;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      usage = c.usage?.completion_tokens ?? usage;
    }
    expect(text).toBe('Hello, world!');
    expect(usage).toBe(4);

    const cmp = await client.completions.create({ model: 'mock-model', prompt: 'x', max_tokens: 1 });
    expect(cmp.choices[0]?.text).toBe('Hello');
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain('mock-model');
  });

  it('[ORCHD-OAI-E2E] a wrong API key is refused; an SDK abort cancels the job at the engine', async () => {
    const wrong = new OpenAI({ baseURL: `${d.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await expect(
      wrong.chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    engine().configure({ hang: { afterTokens: 1 } });
    const client = new OpenAI({ baseURL: `${d.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const aborted = engine().nextAbort();
    const stream = await client.chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const c of stream) {
      if (c.choices[0]?.delta.content) stream.controller.abort();
    }
    await aborted;
    expect(engine().abortsObserved).toBeGreaterThan(0);
  });

  it('[ORCHD-TGI-E2E][ORCHD-COMPAT-4] @huggingface/inference (its endpoint URL as model) and raw /generate_stream', async () => {
    const texts: string[] = [];
    for await (const chunk of textGenerationStream({ endpointUrl: d.url, accessToken: TOKEN, inputs: 'x' })) {
      texts.push((chunk as unknown as { choices: Array<{ text: string }> }).choices[0]?.text ?? '');
    }
    expect(texts.join('')).toBe('Hello, world!');
    const chat = await chatCompletion({
      endpointUrl: d.url,
      accessToken: TOKEN,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(chat.choices[0]?.message.content).toBe('Hello, world!');

    const res = await fetch(`${d.url}/generate_stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ inputs: 'x', parameters: { max_new_tokens: 2, details: true } }),
    });
    const body = await res.text();
    const events = body
      .trim()
      .split('\n\n')
      .map((b) => JSON.parse(b.replace(/^data: /, '')) as Record<string, unknown>);
    expect(events.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(events[2]).toMatchObject({ generated_text: 'Hello,', details: { finish_reason: 'length' } });
    expect(res.headers.get('x-correlation-id')).toBeTruthy();
    const health = await fetch(`${d.url}/health`);
    expect(health.status).toBe(200);
  });

  it('[ORCHD-LM-E2E] local model API: reads need a token, writes the admin token', async () => {
    const call = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${d.url}/api/huggingface${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const model = { model_id: 'orch/lm', model_type: 'text-generation' };
    expect([401, 403]).toContain((await call('POST', '/models', TOKEN, model)).status);
    expect((await call('POST', '/models', ADMIN, model)).status).toBe(201);
    const got = await call('GET', `/models/${encodeURIComponent('orch/lm')}`, TOKEN);
    expect(await got.json()).toMatchObject({ success: true, model: { model_id: 'orch/lm' } });
    const load = await fetch(`${d.url}/api/huggingface/models/${encodeURIComponent('orch/lm')}/load`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(await load.json()).toMatchObject({ success: true, model_id: 'orch/lm' });
  });

  it('[CLIENT-E2E] [CLIENT-8] @orch/client: generate, stream, cancel, batch, task state, pools, models, health', async () => {
    const client = new OrchClient({ baseUrl: d.url, token: TOKEN });
    const r = await client.generate({ prompt: 'x', max_tokens: 3 });
    expect(r).toMatchObject({ text: 'Hello, world', finish_reason: 'length' });

    engine().configure({ hang: { afterTokens: 2 } });
    const aborted = engine().nextAbort();
    const seen: string[] = [];
    for await (const ev of client.stream({ prompt: 'x' })) {
      seen.push(ev.type);
      if (seen.filter((t) => t === 'token').length === 2) break;
    }
    await aborted;
    expect(seen).toEqual(['started', 'token', 'token']);

    const pools = (await client.pools()) as Array<{ id: string }>;
    expect(pools.map((p) => p.id)).toEqual(['mockpool']);
    const models = (await client.models()) as Array<{ id: string }>;
    expect(models.map((m) => m.id)).toContain('mock-model');
    const health = await client.health();
    expect(health.live.ok && health.ready.ok).toBe(true);

    const batch = await client.submitBatch([
      { prompt: 'a', max_tokens: 1, placement: { pin: { pool: 'mockpool' } } },
      { prompt: 'b', temperature: -3 },
    ]);
    expect(batch.batch_id).toMatch(/^batch-/);
    const [ok, refused] = batch.tasks;
    expect(refused).toMatchObject({
      index: 1,
      error: { code: 'INVALID_REQUEST', field: 'tasks.1.temperature' },
    });
    if (!ok?.task_id) throw new Error('the first batch task was not admitted');
    const types: string[] = [];
    for await (const ev of client.events(ok.task_id)) types.push(ev.type);
    expect(types).toEqual(['started', 'token', 'end']);
    expect((await client.task(ok.task_id)).state).toBe('succeeded');

    const bad = await client.submit({ prompt: 'x', top_k: -1 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'INVALID_REQUEST', field: 'top_k' });
    const unauth = await new OrchClient({ baseUrl: d.url, token: 'wrong' }).pools().catch((e: unknown) => e);
    expect(unauth).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('[ORCHD-JOB-1] compat requests keep no finished job unless the OpenAI client asks with store: true', async () => {
    const client = new OpenAI({ baseURL: `${d.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const taskOf = (id: string) =>
      fetch(`${d.url}/v2/tasks/${id.replace(/^(chatcmpl|cmpl)-/, '')}`, { headers: auth });
    const messages = [{ role: 'user' as const, content: 'hi' }];

    const plain = await client.chat.completions.create({ model: 'mock-model', messages });
    expect((await taskOf(plain.id)).status).toBe(404);
    const cmp = await client.completions.create({ model: 'mock-model', prompt: 'x', max_tokens: 1 });
    expect((await taskOf(cmp.id)).status).toBe(404);

    const stored = await client.chat.completions.create({ model: 'mock-model', messages, store: true });
    const got = await taskOf(stored.id);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ state: 'succeeded', result: { text: 'Hello, world!' } });

    // Native submissions are kept as before.
    const native = await fetch(`${d.url}/v2/tasks`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x', max_tokens: 2 }),
    });
    const { task_id } = (await native.json()) as { task_id: string };
    for (let i = 0; i < 50; i++) {
      const r = (await (await taskOf(task_id)).json()) as { state: string };
      if (r.state === 'succeeded') break;
      await new Promise((res) => setTimeout(res, 10));
    }
    expect(await (await taskOf(task_id)).json()).toMatchObject({ state: 'succeeded' });
  });
});
