import { isOrchError, OrchError } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { hfStreamError, LOADING_UPSTREAM_TYPE, mapHfErrorResponse } from './hf-error.js';
import { withLoadingWait } from './loading-waiter.js';

const res = (status: number, bodyText = '', headers: Record<string, string> = {}) =>
  mapHfErrorResponse({ status, bodyText, headers });

describe('error mapping', () => {
  it('[HF-ERR-1] 401, 402 and 403 are UNAUTHORIZED and not retriable', () => {
    for (const s of [401, 402, 403]) {
      expect(res(s, '{"error":"Invalid token"}')).toMatchObject({
        code: 'UNAUTHORIZED',
        retriable: false,
        status: s,
      });
    }
    expect(res(401)?.message).toBe('Hugging Face answered HTTP 401');
  });

  it('[HF-ERR-2] 404 is NOT_FOUND; both error body shapes give the message', () => {
    expect(res(404, '{"error":"Model a/b does not exist"}')).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Model a/b does not exist',
    });
    expect(res(404, '{"error":{"message":"no such model","type":"invalid_request_error"}}')).toMatchObject({
      code: 'NOT_FOUND',
      message: 'no such model',
      upstreamType: 'invalid_request_error',
    });
    expect(res(400, '{"detail":"bad field"}')?.message).toBe('bad field');
    expect(res(400, 'plain words')?.message).toBe('plain words');
  });

  it('[HF-ERR-3] 429 is RATE_LIMITED with Retry-After in ms (seconds, ms header or date)', () => {
    expect(res(429, '{"error":"slow down"}', { 'retry-after': '3' })).toMatchObject({
      code: 'RATE_LIMITED',
      retriable: true,
      retryAfterMs: 3000,
    });
    expect(res(429, '', { 'retry-after-ms': '250' })?.retryAfterMs).toBe(250);
  });

  it('[HF-LOAD-1] 503 with estimated_time is MODEL_LOADING held back from transport retries', () => {
    const e = res(503, '{"error":"Model a/b is currently loading","estimated_time":20.5}');
    expect(e).toMatchObject({
      code: 'MODEL_LOADING',
      retriable: false,
      retryAfterMs: 20_500,
      upstreamType: LOADING_UPSTREAM_TYPE,
    });
    expect(res(503, '{"error":"Service unavailable"}')).toMatchObject({
      code: 'OVERLOADED',
      retriable: true,
    });
    expect(res(500, '{"error":"boom"}')).toMatchObject({ code: 'UPSTREAM_ERROR', retriable: true });
    expect(res(200, '')).toBeUndefined();
  });

  it('[HF-ERR-5] in-stream errors take their code from the status they carry', () => {
    expect(hfStreamError('{"error":{"message":"quota","code":429}}')).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
    });
    expect(hfStreamError('{"error":"Request failed during generation"}')).toMatchObject({
      code: 'UPSTREAM_ERROR',
      retriable: true,
      message: 'Request failed during generation',
    });
    expect(hfStreamError('{"message":"denied","status":403}')).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(hfStreamError('not json at all').message).toBe('not json at all');
  });
});

function loadingError(etaMs?: number): OrchError {
  return new OrchError('MODEL_LOADING', 'Model a/b is currently loading', {
    retriable: false,
    status: 503,
    upstreamType: LOADING_UPSTREAM_TYPE,
    ...(etaMs !== undefined ? { retryAfterMs: etaMs } : {}),
  });
}

/** A virtual clock: sleep advances it, so the waiter's arithmetic is tested without real time. */
function clock() {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

describe('loading waiter', () => {
  it('[HF-LOAD-1] waits the estimate (clamped) and retries until the model is up', async () => {
    const c = clock();
    let calls = 0;
    const out = await withLoadingWait(
      async () => {
        calls++;
        if (calls < 3) throw loadingError(calls === 1 ? 200 : 50_000);
        return 'ok';
      },
      { maxWaitMs: 120_000, minDelayMs: 1000, maxDelayMs: 30_000 },
      { signal: new AbortController().signal, now: c.now, sleep: c.sleep },
    );
    expect(out).toBe('ok');
    // 200 ms is raised to the 1 s floor; 50 s is capped to a 30 s poll.
    expect(c.sleeps).toEqual([1000, 30_000]);
  });

  it('[HF-LOAD-2] an estimate beyond the bound gives up at once with a retriable MODEL_LOADING', async () => {
    const c = clock();
    const err = await withLoadingWait(
      async () => {
        throw loadingError(300_000);
      },
      { maxWaitMs: 60_000 },
      { signal: new AbortController().signal, now: c.now, sleep: c.sleep },
    ).catch((e: unknown) => e);
    expect(c.sleeps).toEqual([]);
    expect(isOrchError(err) && [err.code, err.retriable, err.retryAfterMs]).toEqual([
      'MODEL_LOADING',
      true,
      300_000,
    ]);
  });

  it('[HF-LOAD-2] repeated short estimates stop at the bound; each wait is at least minDelayMs', async () => {
    const c = clock();
    let calls = 0;
    const err = await withLoadingWait(
      async () => {
        calls++;
        throw loadingError(1);
      },
      { maxWaitMs: 10_000, minDelayMs: 1000 },
      { signal: new AbortController().signal, now: c.now, sleep: c.sleep },
    ).catch((e: unknown) => e);
    expect(isOrchError(err) && err.code).toBe('MODEL_LOADING');
    expect(calls).toBe(11);
    expect(c.sleeps.every((ms) => ms === 1000)).toBe(true);
  });

  it('[HF-LOAD-3] other errors pass straight through; an abort ends the wait', async () => {
    const other = new OrchError('NOT_FOUND', 'nope', { retriable: false });
    const e1 = await withLoadingWait(
      async () => {
        throw other;
      },
      {},
      { signal: new AbortController().signal },
    ).catch((e: unknown) => e);
    expect(e1).toBe(other);
    const ac = new AbortController();
    const pending = withLoadingWait(
      async () => {
        throw loadingError(5000);
      },
      { minDelayMs: 5000 },
      { signal: ac.signal },
    ).catch((e: unknown) => e);
    ac.abort();
    const e2 = await pending;
    expect(isOrchError(e2) && e2.code).toBe('CANCELLED');
  });
});
