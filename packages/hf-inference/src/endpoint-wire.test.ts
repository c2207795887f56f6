import { type FakeTgi, startFakeTgi } from '@orch/fake-tgi';
import { describe, expect, it } from 'vitest';
import { adapterHarness, collect } from './__fixtures__/adapter-harness.js';

const KEY = 'hf_endpoint_key';
let tgi: FakeTgi;
const make = adapterHarness(
  async () =>
    (tgi = await startFakeTgi({
      apiKey: KEY,
      tokens: { count: 6 },
      modelId: 'acme/endpoint-model',
      version: '3.3.6',
    })),
  (server) => ({
    model: 'acme/endpoint-model',
    mode: 'endpoint',
    apiKey: KEY,
    baseUrl: server.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  }),
);

const generation = () => tgi.requests.filter((r) => r.method === 'POST').at(-1)!;

describe('endpoint mode against the fake TGI', () => {
  it('[HF-EP-1] a prompt streams over TGI /generate_stream, reported as engine hf-inference', async () => {
    const adapter = make();
    const events = await collect(adapter.submit({ prompt: 'Hello', max_tokens: 6 }));
    expect(events[0]).toMatchObject({
      type: 'started',
      engine: 'hf-inference',
      engine_version: '3.3.6',
      model: 'acme/endpoint-model',
    });
    expect(events.filter((e) => e.type === 'token')).toHaveLength(6);
    expect(events.at(-1)).toMatchObject({ type: 'end', usage: { completion_tokens: 6 } });
    expect(generation().path).toBe('/generate_stream');
    expect(generation().headers.authorization).toBe(`Bearer ${KEY}`);
    expect(adapter.stats()).toMatchObject({
      total_requests: 1,
      successful_requests: 1,
      completion_tokens: 6,
    });
  });

  it('[HF-EP-1] chat messages go to the endpoint chat route, billTo header included', async () => {
    const r = await make({ billTo: 'acme' }).generate({
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
    });
    expect(generation().path).toBe('/v1/chat/completions');
    expect(generation().headers['x-hf-bill-to']).toBe('acme');
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.engine).toBe('hf-inference');
  });

  it('[HF-EP-1] generate({stream:false}) uses the non-stream route', async () => {
    const r = await make().generate({ prompt: 'Hello', max_tokens: 3 }, { stream: false });
    expect(generation().path).toBe('/generate');
    expect(r.usage.completion_tokens).toBe(3);
  });

  it('[HF-EP-2] health() comes from the endpoint /health and is cached for the interval', async () => {
    const a = make({ healthIntervalMs: 60_000 });
    const h1 = await a.health();
    const h2 = await a.health();
    expect(h1.state).toBe('healthy');
    expect(h2).toBe(h1);
    expect(tgi.requests.filter((r) => r.path === '/health')).toHaveLength(1);
  });

  it('[HF-EP-2] an unhealthy endpoint is reported unhealthy', async () => {
    await tgi.setFaults({ unhealthy: true });
    expect((await make({ healthIntervalMs: 0 }).health()).state).toBe('unhealthy');
  });

  it('[HF-PROPS-1] props() report TGI /info under engine hf-inference', async () => {
    const p = await make().props();
    expect(p).toMatchObject({
      engine: 'hf-inference',
      engineVersion: '3.3.6',
      modelId: 'acme/endpoint-model',
    });
    expect(p.capabilities).toMatchObject({ chat: true, tools: true, grammar: true, streaming: true });
  });
});
