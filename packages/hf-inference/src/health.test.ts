import type { HealthReport } from '@orch/adapter-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthCache } from './health-cache.js';
import { HfInferenceAdapter } from './hf-inference-adapter.js';
import type { HfInferenceOptions } from './hf-inference-options.js';
import { healthFromProbe } from './probe-health.js';
import { type FakeRouter, startFakeRouter } from './testing/fake-router.js';

const KEY = 'hf_health_key';
let router: FakeRouter;
let adapter: HfInferenceAdapter | undefined;
const made: HfInferenceAdapter[] = [];

beforeEach(async () => {
  router = await startFakeRouter({ apiKey: KEY, models: ['org/m'] });
});

afterEach(async () => {
  await Promise.all(made.splice(0).map((a) => a.close()));
  adapter = undefined;
  await router.close();
});

function make(extra: Partial<HfInferenceOptions> = {}): HfInferenceAdapter {
  adapter = new HfInferenceAdapter({ model: 'org/m', apiKey: KEY, baseUrl: router.url, ...extra });
  made.push(adapter);
  return adapter;
}

const gets = (path: string) => router.requests.filter((r) => r.method === 'GET' && r.path === path);

describe('health() and props()', () => {
  it('[HF-HEALTH-1] router mode probes GET /v1/models with the key and caches the result', async () => {
    const a = make({ healthIntervalMs: 60_000 });
    const [h1, h2] = await Promise.all([a.health(), a.health()]);
    const h3 = await a.health();
    expect(h1).toMatchObject({ state: 'healthy', live: true, ready: true });
    expect(h2).toBe(h1);
    expect(h3).toBe(h1);
    expect(gets('/v1/models')).toHaveLength(1);
    expect(gets('/v1/models')[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('[HF-HEALTH-1] with a zero interval every call probes again', async () => {
    const a = make({ healthIntervalMs: 0 });
    await a.health();
    await a.health();
    expect(gets('/v1/models')).toHaveLength(2);
  });

  it('[HF-HEALTH-2] refused credentials are unhealthy (live, not ready)', async () => {
    const h = await make({ apiKey: 'hf_bad' }).health();
    expect(h).toMatchObject({ state: 'unhealthy', live: true, ready: false });
    expect(h.message).toContain('credentials refused');
    expect(h.message).not.toContain('hf_bad');
  });

  it('[HF-HEALTH-2] a failing router is unhealthy, a rate-limited one degraded', async () => {
    router.configure({ modelsStatus: 502 });
    expect((await make({ healthIntervalMs: 0 }).health()).state).toBe('unhealthy');
    router.configure({ modelsStatus: 429 });
    expect(await adapter!.health()).toMatchObject({ state: 'degraded', ready: false });
  });

  it('[HF-HEALTH-2] an unreachable router is unhealthy and not live', async () => {
    const a = make();
    await router.close();
    const h = await a.health();
    expect(h).toMatchObject({ state: 'unhealthy', live: false, ready: false });
    router = await startFakeRouter();
  });

  it('[HF-HEALTH-1] serverless mode probes GET /models/{model}', async () => {
    const h = await make({ mode: 'serverless' }).health();
    expect(gets('/models/org/m')).toHaveLength(1);
    expect(gets('/models/org/m')[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(h.state).toBe('healthy');
    // A model the API does not serve (404) is unhealthy.
    expect((await make({ mode: 'serverless', model: 'org/other' }).health()).state).toBe('unhealthy');
  });

  it('[HF-PROPS-1] router props report the model with its provider and the chat capabilities', async () => {
    const p = await make({ provider: 'groq' }).props();
    expect(p).toEqual({
      engine: 'hf-inference',
      engineVersion: 'hf-router-v1',
      modelId: 'org/m:groq',
      capabilities: { chat: true, tools: true, grammar: true, logprobs: true, streaming: true },
    });
    expect(router.requests).toHaveLength(0);
  });

  it('[HF-PROPS-1] serverless props report no chat or tools', async () => {
    const p = await make({ mode: 'serverless' }).props();
    expect(p.capabilities).toMatchObject({ chat: false, tools: false, streaming: true });
    expect(p.engineVersion).toBe('hf-serverless');
  });
});

describe('health classification and cache (pure)', () => {
  const at = 1_700_000_000_000;
  it('[HF-HEALTH-2] maps statuses to states', () => {
    const h = (status: number, bodyText = '', latencyMs = 10) =>
      healthFromProbe({ status, bodyText, latencyMs }, '/v1/models', 2000, at);
    expect(h(200)).toEqual({ state: 'healthy', live: true, ready: true, latencyMs: 10, checkedAt: at });
    expect(h(200, '', 2500)).toMatchObject({ state: 'degraded', ready: true });
    expect(h(401).state).toBe('unhealthy');
    expect(h(402).state).toBe('unhealthy');
    expect(h(404).state).toBe('unhealthy');
    expect(h(429).state).toBe('degraded');
    expect(h(503, '{"error":"Model org/m is currently loading","estimated_time":12}')).toMatchObject({
      state: 'degraded',
      ready: false,
    });
    expect(h(503, '{"error":"unhealthy"}').state).toBe('unhealthy');
    expect(h(405)).toMatchObject({ state: 'healthy', ready: true });
  });

  it('[HF-HEALTH-1] the cache shares one probe and expires after the interval', async () => {
    let now = 0;
    let probes = 0;
    const report = (): HealthReport => ({
      state: 'healthy',
      live: true,
      ready: true,
      latencyMs: 1,
      checkedAt: now,
    });
    const cache = new HealthCache(
      1000,
      async () => {
        probes++;
        return report();
      },
      () => now,
    );
    await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(probes).toBe(1);
    now = 999;
    await cache.get();
    expect(probes).toBe(1);
    now = 1000;
    await cache.get();
    expect(probes).toBe(2);
    cache.invalidate();
    await cache.get();
    expect(probes).toBe(3);
  });
});
