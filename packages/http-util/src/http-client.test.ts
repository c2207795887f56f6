import { OrchError } from '@orch/adapter-api';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpHooks } from './hooks.js';
import { HttpClient } from './http-client.js';
import type { HttpClientOptions } from './http-client-options.js';
import type { SchemaLike } from './parse-json.js';
import { redactSecret } from './redact.js';
import { RetryBudget } from './retry-budget.js';
import { type RetryPolicyOptions, retryDelay } from './retry-policy.js';
import { createSeededRandom } from './seeded-random.js';

const ORIGIN = 'http://upstream.test';
const KEY = 'sk-test-0123456789abcdef';

let agent: MockAgent;
beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});
afterEach(async () => {
  await agent.close();
});

function client(extra: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({ baseUrl: ORIGIN, dispatcher: agent, breaker: false, ...extra });
}

async function rejection(p: Promise<unknown>): Promise<OrchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OrchError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** Replies in order from `statuses`, counting calls. */
function scripted(
  path: string,
  replies: Array<{ status: number; body?: string; headers?: Record<string, string> }>,
) {
  const calls: Array<{ headers: Record<string, string>; body: string }> = [];
  const pool = agent.get(ORIGIN);
  for (const r of replies) {
    pool.intercept({ path, method: () => true }).reply((opts) => {
      calls.push({ headers: opts.headers as Record<string, string>, body: String(opts.body ?? '') });
      return { statusCode: r.status, data: r.body ?? '', responseOptions: { headers: r.headers ?? {} } };
    });
  }
  return calls;
}

function recordRetries(): { hooks: HttpHooks; delays: number[]; attempts: number[] } {
  const delays: number[] = [];
  const attempts: number[] = [];
  return {
    delays,
    attempts,
    hooks: {
      onRetry: ({ delayMs, attempt }) => {
        delays.push(delayMs);
        attempts.push(attempt);
      },
    },
  };
}

describe('HttpClient.requestJson (MockAgent)', () => {
  it('[HTTP-RETRY-1] retries 429/503/network errors with exactly the delays the seeded policy picks', async () => {
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/x', method: 'POST' }).reply(429, 'slow');
    pool.intercept({ path: '/x', method: 'POST' }).reply(503, 'busy');
    pool
      .intercept({ path: '/x', method: 'POST' })
      .replyWithError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    pool.intercept({ path: '/x', method: 'POST' }).reply(200, { ok: true });
    const rec = recordRetries();
    const policy: RetryPolicyOptions = { maxAttempts: 4, baseDelayMs: 8, maxDelayMs: 30 };
    const c = client({ retry: { ...policy, random: createSeededRandom(7) }, hooks: rec.hooks });
    const res = await c.requestJson('/x', { body: { a: 1 } });
    expect(res.body).toEqual({ ok: true });
    const replay = createSeededRandom(7);
    const err = new OrchError('OVERLOADED', 'x');
    const expected = [1, 2, 3].map((attempt) => retryDelay(attempt, err, { ...policy, random: replay }));
    expect(rec.delays).toEqual(expected);
    expect(rec.attempts).toEqual([1, 2, 3]);
  });

  it('[HTTP-RETRY-4] stops after maxAttempts and throws the last error', async () => {
    const calls = scripted('/x', [
      { status: 503 },
      { status: 503 },
      { status: 503 },
      { status: 200, body: '{}' },
    ]);
    const rec = recordRetries();
    const c = client({
      retry: { maxAttempts: 3, baseDelayMs: 1, random: createSeededRandom(1) },
      hooks: rec.hooks,
    });
    const err = await rejection(c.requestJson('/x', { body: {} }));
    expect(err.code).toBe('OVERLOADED');
    expect(err.status).toBe(503);
    expect(calls).toHaveLength(3);
    expect(rec.delays).toHaveLength(2);
  });

  it('[HTTP-RETRY-4] stops when the retry budget is spent', async () => {
    const budget = new RetryBudget({ ratio: 0, minRetriesPerSec: 1, now: () => 0 });
    const calls = scripted('/x', [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const c = client({ retry: { maxAttempts: 5, baseDelayMs: 1, budget } });
    expect((await rejection(c.requestJson('/x'))).code).toBe('OVERLOADED');
    expect(calls).toHaveLength(2);
    expect((await rejection(c.requestJson('/x'))).code).toBe('OVERLOADED');
    expect(calls).toHaveLength(3);
  });

  it('[HTTP-RETRY-2] honours retry-after-ms, Retry-After seconds and HTTP dates, capped', async () => {
    const future = new Date(Date.now() + 3_600_000).toUTCString();
    scripted('/x', [
      { status: 429, headers: { 'retry-after-ms': '12' } },
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 503, headers: { 'retry-after': future } },
      { status: 200, body: '"done"' },
    ]);
    const rec = recordRetries();
    const c = client({
      retry: { maxAttempts: 4, maxRetryAfterMs: 20, random: () => 0.99 },
      hooks: rec.hooks,
    });
    expect((await c.requestJson('/x')).body).toBe('done');
    expect(rec.delays).toEqual([12, 20, 20]);
  });

  it('[HTTP-RETRY-2] a 429 error carries retryAfterMs', async () => {
    scripted('/x', [{ status: 429, headers: { 'retry-after': '2' } }]);
    const err = await rejection(client({ retry: false }).requestJson('/x'));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retriable: true, status: 429, retryAfterMs: 2000 });
  });

  it.each([400, 401, 403, 404, 422])('[HTTP-RETRY-3] does not retry %i', async (status) => {
    const calls = scripted('/x', [
      { status, body: 'no' },
      { status: 200, body: '{}' },
    ]);
    const err = await rejection(client({ retry: { baseDelayMs: 1 } }).requestJson('/x', { body: {} }));
    expect(err.status).toBe(status);
    expect(err.retriable).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('[HTTP-BRK-1][HTTP-BRK-2] opens after N failures, fails fast, half-opens one probe after cooldown', async () => {
    let t = 0;
    const calls = scripted('/x', [
      { status: 500 },
      { status: 502 },
      { status: 500 },
      { status: 200, body: '{}' },
    ]);
    const c = new HttpClient({
      baseUrl: ORIGIN,
      dispatcher: agent,
      retry: false,
      breaker: { failureThreshold: 2, cooldownMs: 1000, now: () => t },
    });
    expect((await rejection(c.requestJson('/x'))).status).toBe(500);
    expect((await rejection(c.requestJson('/x'))).status).toBe(502);
    expect(c.breaker?.state).toBe('open');
    const fast = await rejection(c.requestJson('/x'));
    expect(fast).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamType: 'circuit_open', retryAfterMs: 1000 });
    expect(calls).toHaveLength(2);
    t = 1000;
    expect((await rejection(c.requestJson('/x'))).status).toBe(500);
    expect(c.breaker?.state).toBe('open');
    t = 2000;
    expect(c.breaker?.state).toBe('half-open');
    await c.requestJson('/x');
    expect(c.breaker?.state).toBe('closed');
    expect(calls).toHaveLength(4);
  });

  it('[HTTP-BRK-1] 4xx and 429 do not open the breaker', async () => {
    scripted('/x', [{ status: 400 }, { status: 429 }, { status: 404 }, { status: 429 }]);
    const c = new HttpClient({
      baseUrl: ORIGIN,
      dispatcher: agent,
      retry: false,
      breaker: { failureThreshold: 1 },
    });
    for (let i = 0; i < 4; i++) await rejection(c.requestJson('/x'));
    expect(c.breaker?.state).toBe('closed');
  });

  it('[HTTP-BRK-3] a model still loading (503 mapped to MODEL_LOADING) does not open the breaker', async () => {
    scripted('/x', [{ status: 503 }, { status: 503 }, { status: 503 }]);
    const c = new HttpClient({
      baseUrl: ORIGIN,
      dispatcher: agent,
      retry: false,
      breaker: { failureThreshold: 1 },
      mapErrorResponse: ({ status }) =>
        status === 503 ? new OrchError('MODEL_LOADING', 'loading', { status }) : undefined,
    });
    for (let i = 0; i < 3; i++) expect((await rejection(c.requestJson('/x'))).code).toBe('MODEL_LOADING');
    expect(c.breaker?.state).toBe('closed');
  });

  it('[HTTP-AUTH-1] sends bearer auth, extra headers, and merges extra body fields', async () => {
    const calls = scripted('/v1/x', [{ status: 200, body: '{"ok":1}' }]);
    const c = new HttpClient({
      baseUrl: `${ORIGIN}/v1/`,
      dispatcher: agent,
      apiKey: () => KEY,
      headers: { 'X-Tenant': 't1' },
      extraBody: { provider: 'p', big: 18446744073709551615n, seed: 2 },
    });
    const res = await c.requestJson('/x', { body: { inputs: 'hi', seed: 1 }, headers: { 'x-call': 'c' } });
    expect(res.body).toEqual({ ok: 1 });
    const [call] = calls;
    expect(call?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(call?.headers['x-tenant']).toBe('t1');
    expect(call?.headers['x-call']).toBe('c');
    expect(call?.headers['content-type']).toBe('application/json');
    expect(call?.body).toBe('{"provider":"p","big":18446744073709551615,"seed":1,"inputs":"hi"}');
  });

  it('[HTTP-HOOK-1] hooks see only redacted headers: the API key never reaches them', async () => {
    scripted('/x', [
      { status: 503, body: `echo ${KEY}`, headers: { 'set-cookie': 'sid=1' } },
      { status: 200, body: '{}', headers: { 'x-request-id': 'req-9' } },
    ]);
    const seen: unknown[] = [];
    const hooks: HttpHooks = {
      onRequest: (i) => seen.push(i),
      onResponse: (i) => seen.push(i),
      onRetry: (i) => seen.push(i, i.error.message, i.error.headers),
    };
    const c = client({ apiKey: KEY, hooks, retry: { baseDelayMs: 1 } });
    const res = await c.requestJson('/x', { body: {} });
    expect(res.requestId).toBe('req-9');
    const text = JSON.stringify(seen);
    expect(text).not.toContain(KEY);
    expect(text).toContain(`Bearer ${redactSecret(KEY)}`);
    expect(text).not.toContain('sid=1');
    expect(seen.filter((s) => typeof s === 'object' && s !== null && 'status' in s)).toHaveLength(2);
  });

  it('[HTTP-HOOK-1] errors carry the redacted request, never the key', async () => {
    scripted('/x', [{ status: 401, body: '' }]);
    const err = await rejection(client({ apiKey: KEY }).requestJson('/x'));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.request?.headers.authorization).toBe(`Bearer ${redactSecret(KEY)}`);
    expect(JSON.stringify({ ...err, req: err.request })).not.toContain(KEY);
  });

  it('[HTTP-HOOK-2] hooks that throw do not break the request', async () => {
    scripted('/x', [{ status: 500 }, { status: 200, body: '[1]' }]);
    const boom = (): never => {
      throw new Error('hook bug');
    };
    const c = client({
      retry: { baseDelayMs: 1 },
      hooks: { onRequest: boom, onResponse: boom, onRetry: boom, onChunk: boom, onStreamComplete: boom },
    });
    expect((await c.requestJson('/x')).body).toEqual([1]);
  });

  it('validates with a schema: invalid bodies are PROTOCOL errors naming the field', async () => {
    scripted('/x', [
      { status: 200, body: '{"a":{"b":"x"}}' },
      { status: 200, body: 'not json' },
    ]);
    const schema: SchemaLike<{ a: { b: number } }> = {
      safeParse: (data) => {
        const b = (data as { a?: { b?: unknown } })?.a?.b;
        return typeof b === 'number'
          ? { success: true, data: { a: { b } } }
          : { success: false, error: { issues: [{ path: ['a', 'b'], message: 'expected number' }] } };
      },
    };
    const c = client({ retry: false });
    expect(await rejection(c.requestJson('/x', { schema }))).toMatchObject({
      code: 'PROTOCOL',
      field: 'a.b',
    });
    expect((await rejection(c.requestJson('/x'))).code).toBe('PROTOCOL');
  });

  it('engine error mapping is used and enriched with status, Retry-After and request id', async () => {
    scripted('/x', [
      {
        status: 429,
        body: '{"error":"Model is overloaded","error_type":"overloaded"}',
        headers: { 'retry-after': '1', 'x-request-id': 'r1' },
      },
    ]);
    const c = client({
      retry: false,
      mapErrorResponse: ({ bodyText }) =>
        bodyText.includes('overloaded')
          ? new OrchError('OVERLOADED', 'overloaded', { upstreamType: 'overloaded' })
          : undefined,
    });
    const err = await rejection(c.requestJson('/x'));
    expect(err).toMatchObject({
      code: 'OVERLOADED',
      status: 429,
      retryAfterMs: 1000,
      requestId: 'r1',
      upstreamType: 'overloaded',
    });
  });

  it('an already-aborted signal is CANCELLED without a request; an OrchError reason is passed through', async () => {
    const calls = scripted('/x', [{ status: 200, body: '{}' }]);
    const ac = new AbortController();
    ac.abort();
    expect((await rejection(client().requestJson('/x', { signal: ac.signal }))).code).toBe('CANCELLED');
    const ac2 = new AbortController();
    ac2.abort(new OrchError('TIMEOUT', 'first token', { timeoutPhase: 'first_token' }));
    expect(await rejection(client().requestJson('/x', { signal: ac2.signal }))).toMatchObject({
      code: 'TIMEOUT',
      timeoutPhase: 'first_token',
    });
    expect(calls).toHaveLength(0);
  });

  it('abort during a backoff sleep stops at once with CANCELLED', async () => {
    const calls = scripted('/x', [{ status: 503 }, { status: 200, body: '{}' }]);
    const ac = new AbortController();
    const c = client({
      retry: { baseDelayMs: 60_000, random: () => 0.5 },
      hooks: { onRetry: () => ac.abort() },
    });
    expect((await rejection(c.requestJson('/x', { signal: ac.signal }))).code).toBe('CANCELLED');
    expect(calls).toHaveLength(1);
  });

  it('probe: no retry, returns status and text', async () => {
    scripted('/health', [{ status: 503, body: '{"error":"unhealthy"}' }, { status: 200 }]);
    const c = client();
    const res = await c.probe('/health');
    expect(res.status).toBe(503);
    expect(res.bodyText).toBe('{"error":"unhealthy"}');
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

describe('HttpClient options', () => {
  it('rejects a bad baseUrl or non-positive numbers with INVALID_REQUEST naming the field', () => {
    expect(() => new HttpClient({ baseUrl: 'not a url' })).toThrow(
      expect.objectContaining({ field: 'baseUrl' }),
    );
    expect(() => new HttpClient({ baseUrl: 'ftp://x' })).toThrow(
      expect.objectContaining({ field: 'baseUrl' }),
    );
    expect(() => new HttpClient({ baseUrl: ORIGIN, connections: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', field: 'connections' }),
    );
    expect(() => new HttpClient({ baseUrl: ORIGIN, maxLineBytes: Number.NaN })).toThrow(
      expect.objectContaining({ field: 'maxLineBytes' }),
    );
  });
});

describe('HttpClient.openSse (MockAgent)', () => {
  const sse = { 'content-type': 'text/event-stream' };

  it('[HTTP-RETRY-5] retries before the stream opens, then streams messages', async () => {
    const calls = scripted('/generate_stream', [
      { status: 503 },
      { status: 200, body: 'data: {"t":1}\n\ndata:{"t":2}\n\ndata: [DONE]\n\n', headers: sse },
    ]);
    const chunks: string[] = [];
    const done: Array<{ events: number; error?: OrchError }> = [];
    const c = client({
      apiKey: KEY,
      retry: { baseDelayMs: 1 },
      hooks: { onChunk: (i) => chunks.push(i.chunk), onStreamComplete: (i) => done.push(i) },
    });
    const stream = await c.openSse('/generate_stream', { body: { inputs: 'x' } });
    expect(stream.status).toBe(200);
    const data: string[] = [];
    for await (const m of stream) data.push(m.data);
    expect(data).toEqual(['{"t":1}', '{"t":2}', '[DONE]']);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers.accept).toBe('text/event-stream');
    expect(chunks.join('')).toContain('[DONE]');
    expect(done).toEqual([expect.objectContaining({ events: 3 })]);
    expect(JSON.stringify(done)).not.toContain(KEY);
    expect(JSON.stringify(done)).toContain(redactSecret(KEY));
    expect(done[0]?.error).toBeUndefined();
  });

  it('a non-2xx is an OrchError through mapErrorResponse; non-SSE 2xx is PROTOCOL', async () => {
    scripted('/s', [
      { status: 422, body: '{"error":"Input validation error: `top_p` must be > 0.0 and < 1.0"}' },
      { status: 200, body: '{"x":1}', headers: { 'content-type': 'application/json' } },
    ]);
    const c = client({
      mapErrorResponse: ({ status, bodyText }) =>
        status === 422
          ? new OrchError('INVALID_REQUEST', bodyText, { retriable: false, upstreamType: 'validation' })
          : undefined,
    });
    expect(await rejection(c.openSse('/s', { body: {} }))).toMatchObject({
      code: 'INVALID_REQUEST',
      status: 422,
      upstreamType: 'validation',
    });
    expect((await rejection(c.openSse('/s', { body: {} }))).code).toBe('PROTOCOL');
  });
});
