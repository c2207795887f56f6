import { isOrchError, type TokenEvent } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { adapterHarness, collect } from './__fixtures__/adapter-harness.js';
import type { HfInferenceAdapter } from './hf-inference-adapter.js';
import { type FakeRouter, startFakeRouter } from './testing/fake-router.js';

const KEY = 'hf_secret_abcdef';
let router: FakeRouter;
const make = adapterHarness(
  async () => (router = await startFakeRouter({ apiKey: KEY })),
  (server) => ({
    model: 'fake/model',
    apiKey: KEY,
    baseUrl: server.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 },
    loading: { minDelayMs: 5, maxDelayMs: 50, maxWaitMs: 500 },
  }),
);

async function terminal(a: HfInferenceAdapter): Promise<TokenEvent> {
  const events = await collect(a.submit({ prompt: 'hello' }));
  return events.at(-1)!;
}

const generations = () => router.requests.filter((r) => r.method === 'POST').length;

describe('router mode: errors', () => {
  it('[HF-ERR-1] 401 is UNAUTHORIZED and not retried', async () => {
    const a = make({ apiKey: 'hf_wrong' });
    const err = await a.generate({ prompt: 'x' }).catch((e: unknown) => e);
    expect(isOrchError(err) && err.code).toBe('UNAUTHORIZED');
    expect(isOrchError(err) && err.retriable).toBe(false);
    expect(isOrchError(err) && err.message).toContain('Invalid credentials');
    expect(generations()).toBe(1);
  });

  it('[HF-ERR-1] 403 with an {"error":{"message"}} body is UNAUTHORIZED with that message', async () => {
    router.fault({
      kind: 'status',
      status: 403,
      body: { error: { message: 'No access to model', type: 'forbidden' } },
    });
    const end = await terminal(make());
    expect(end).toMatchObject({ type: 'error', code: 'UNAUTHORIZED', retriable: false, status: 403 });
    expect(end.type === 'error' && end.message).toBe('No access to model');
    expect(generations()).toBe(1);
  });

  it('[HF-ERR-2] 404 is NOT_FOUND with the string error body as message', async () => {
    router.fault({ kind: 'status', status: 404, body: { error: 'Model fake/nope does not exist' } });
    const end = await terminal(make());
    expect(end).toMatchObject({ type: 'error', code: 'NOT_FOUND', retriable: false, status: 404 });
    expect(end.type === 'error' && end.message).toBe('Model fake/nope does not exist');
  });

  it('[HF-ERR-3] 429 with Retry-After is waited out and retried', async () => {
    router.fault({
      kind: 'status',
      status: 429,
      body: { error: 'Rate limit reached' },
      headers: { 'retry-after': '0' },
    });
    const end = await terminal(make());
    expect(end.type).toBe('end');
    expect(generations()).toBe(2);
  });

  it('[HF-ERR-3] the wait before retrying a 429 is the Retry-After the server asked for', async () => {
    const delays: number[] = [];
    router.fault({
      kind: 'status',
      status: 429,
      body: { error: 'slow down' },
      headers: { 'retry-after-ms': '30' },
    });
    const a = make({ hooks: { onRetry: (i) => delays.push(i.delayMs) } });
    expect((await a.generate({ prompt: 'x' })).text.length).toBeGreaterThan(0);
    expect(delays).toEqual([30]);
  });

  it('[HF-ERR-3] 429 that persists ends as RATE_LIMITED with retry_after_ms', async () => {
    for (let i = 0; i < 3; i++) {
      router.fault({
        kind: 'status',
        status: 429,
        body: { error: 'Rate limit reached' },
        headers: { 'retry-after': '0' },
      });
    }
    const end = await terminal(make());
    expect(end).toMatchObject({
      type: 'error',
      code: 'RATE_LIMITED',
      retriable: true,
      status: 429,
      retry_after_ms: 0,
    });
    expect(generations()).toBe(3);
  });

  it('[HF-ERR-4] a 5xx before the first token is retried', async () => {
    router.fault({ kind: 'status', status: 502, body: { error: { message: 'Bad gateway' } } });
    router.fault({ kind: 'status', status: 500, body: 'Internal Server Error' });
    const end = await terminal(make());
    expect(end.type).toBe('end');
    expect(generations()).toBe(3);
  });

  it('[HF-ERR-5] a mid-stream error event ends the stream with error, never end', async () => {
    router.fault({
      kind: 'midstream-error',
      afterTokens: 2,
      error: { message: 'Provider crashed', code: 500 },
    });
    const events = await collect(make().submit({ prompt: 'x' }));
    expect(events.filter((e) => e.type === 'token')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'UPSTREAM_ERROR',
      message: 'Provider crashed',
      retriable: false,
      tokens_emitted: 2,
    });
    expect(generations()).toBe(1);
  });

  it('[HF-ERR-5] an `event: error` with a string error is reported with its message', async () => {
    router.fault({
      kind: 'midstream-error',
      afterTokens: 1,
      error: 'Input validation error: too long',
      event: 'error',
    });
    const end = (await collect(make().submit({ prompt: 'x' }))).at(-1);
    expect(end).toMatchObject({
      type: 'error',
      message: 'Input validation error: too long',
      tokens_emitted: 1,
    });
  });

  it('[HF-ERR-5] an error event before any token is retried like a refusal', async () => {
    router.fault({
      kind: 'midstream-error',
      afterTokens: 0,
      error: { message: 'Too many requests', code: 429 },
    });
    const end = (await collect(make().submit({ prompt: 'x' }))).at(-1);
    expect(end?.type).toBe('end');
    expect(generations()).toBe(2);
  });

  it('[HF-ERR-5] a persistent rate-limit error event before any token is RATE_LIMITED and retriable', async () => {
    for (let i = 0; i < 3; i++) {
      router.fault({
        kind: 'midstream-error',
        afterTokens: 0,
        error: { message: 'Too many requests', code: 429 },
      });
    }
    const end = (await collect(make().submit({ prompt: 'x' }))).at(-1);
    expect(end).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retriable: true, tokens_emitted: 0 });
    expect(generations()).toBe(3);
  });

  it('[HF-ERR-5] an error event after a token is never retried', async () => {
    router.fault({
      kind: 'midstream-error',
      afterTokens: 1,
      error: { message: 'Too many requests', code: 429 },
    });
    const end = (await collect(make().submit({ prompt: 'x' }))).at(-1);
    expect(end).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retriable: false, tokens_emitted: 1 });
    expect(generations()).toBe(1);
  });

  it('[HF-ERR-6] a stream cut after the first token ends in error', async () => {
    router.fault({ kind: 'cut', afterTokens: 3 });
    const end = (await collect(make().submit({ prompt: 'x' }))).at(-1);
    expect(end).toMatchObject({ type: 'error', code: 'NETWORK', retriable: false, tokens_emitted: 3 });
  });

  it('[HF-ERR-6] a body that ends cleanly without [DONE] or finish_reason is an error too', async () => {
    router.fault({ kind: 'cut', afterTokens: 2, clean: true });
    const end = (await collect(make().submit({ prompt: 'x' }))).at(-1);
    expect(end).toMatchObject({ type: 'error', code: 'NETWORK', tokens_emitted: 2 });
  });

  it('[HF-ERR-7] malformed JSON mid-stream is a PROTOCOL error for that job only', async () => {
    router.fault({ kind: 'malformed', afterTokens: 1 });
    const a = make();
    const end = (await collect(a.submit({ prompt: 'x' }))).at(-1);
    expect(end).toMatchObject({ type: 'error', code: 'PROTOCOL', tokens_emitted: 1 });
    expect((await a.generate({ prompt: 'again' })).text.length).toBeGreaterThan(0);
  });

  it('[HF-LOAD-1] a 503 loading answer is waited out, then the job runs', async () => {
    router.fault({ kind: 'loading', estimatedTime: 0.01 });
    router.fault({ kind: 'loading', estimatedTime: 0.01 });
    const end = await terminal(make());
    expect(end.type).toBe('end');
    expect(generations()).toBe(3);
  });

  it('[HF-LOAD-2] a model still loading past the bound is MODEL_LOADING, retriable, with the estimate', async () => {
    router.fault({ kind: 'loading', estimatedTime: 20 });
    const end = await terminal(make());
    expect(end).toMatchObject({
      type: 'error',
      code: 'MODEL_LOADING',
      retriable: true,
      retry_after_ms: 20_000,
      status: 503,
    });
    // The estimate overran the bound: orch gave up at once rather than retrying in a loop.
    expect(generations()).toBe(1);
  });
});
