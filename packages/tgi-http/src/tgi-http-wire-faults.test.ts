import { startFakeTgi } from '@orch/fake-tgi';
import { describe, expect, it } from 'vitest';
import { adapter, collect, ctx, last, lastRequest, tokenCount, useFakeTgi } from './__fixtures__/wire.js';

// Every fake-tgi fault mode, through the real transport.
useFakeTgi();

describe('TgiHttpAdapter against fake-tgi: faults', () => {
  it('[TGI-TIMEOUT-1] stall before headers → TIMEOUT first_token and the socket is closed', async () => {
    await ctx.fake.setFaults({ stallBeforeHeaders: true });
    const events = await collect(adapter().submit({ prompt: 'x', timeouts: { first_token_ms: 100 } }));
    expect(last(events)).toMatchObject({ type: 'error', code: 'TIMEOUT', timeout_phase: 'first_token' });
    await lastRequest('/generate_stream').onAborted;
  });

  it('[TGI-TIMEOUT-1][TGI-CANCEL-1] stall mid-stream → TIMEOUT idle after tokens, upstream closed', async () => {
    await ctx.fake.setFaults({ stallAfterTokens: 2 });
    const events = await collect(adapter().submit({ prompt: 'x', timeouts: { idle_ms: 100 } }));
    expect(tokenCount(events)).toBe(2);
    expect(last(events)).toMatchObject({
      type: 'error',
      code: 'TIMEOUT',
      timeout_phase: 'idle',
      retriable: false,
    });
    await lastRequest('/generate_stream').onAborted;
    expect(lastRequest('/generate_stream').clientAborted).toBe(true);
  });

  it('[TGI-STREAM-1][TGI-TIMEOUT-1] keep-alive comments before the first token are ignored; a late first token times out', async () => {
    const slow = await startFakeTgi({ keepAliveMs: 10, faults: { firstTokenDelayMs: 80 } });
    try {
      const a = adapter({ baseUrl: slow.url });
      const ok = await a.generate({ prompt: 'x #tokens=2' });
      expect(ok.usage.completion_tokens).toBe(2);
      const events = await collect(a.submit({ prompt: 'x #tokens=2', timeouts: { first_token_ms: 30 } }));
      expect(last(events)).toMatchObject({ type: 'error', code: 'TIMEOUT', timeout_phase: 'first_token' });
    } finally {
      await slow.close();
    }
  });

  it('[TGI-STREAM-7] cut mid-stream → error NETWORK after the tokens, never end', async () => {
    await ctx.fake.setFaults({ cutAfterTokens: 3 });
    const events = await collect(adapter().submit({ prompt: 'x' }));
    expect(tokenCount(events)).toBe(3);
    expect(last(events)).toMatchObject({
      type: 'error',
      code: 'NETWORK',
      tokens_emitted: 3,
      retriable: false,
    });
  });

  it('[TGI-STREAM-7] cut mid-stream on chat → error, never end', async () => {
    await ctx.fake.setFaults({ cutAfterTokens: 2 });
    const events = await collect(adapter().submit({ messages: [{ role: 'user', content: 'x' }] }));
    expect(last(events).type).toBe('error');
    expect(tokenCount(events)).toBe(2);
  });

  it('[TGI-ERR-6] 429 with Retry-After → OVERLOADED retriable with retry_after_ms', async () => {
    await ctx.fake.setFaults({ overloaded429: { retryAfter: '2' } });
    const events = await collect(adapter().submit({ prompt: 'x' }));
    expect(last(events)).toMatchObject({
      code: 'OVERLOADED',
      retriable: true,
      status: 429,
      retry_after_ms: 2000,
    });
  });

  it('[TGI-ERR-6] 429 without Retry-After → OVERLOADED retriable', async () => {
    await ctx.fake.setFaults({ overloaded429: true });
    const events = await collect(adapter().submit({ prompt: 'x' }));
    const e = last(events);
    expect(e).toMatchObject({ code: 'OVERLOADED', retriable: true, status: 429 });
    expect(e.type === 'error' && e.retry_after_ms).toBeUndefined();
  });

  it('[TGI-ERR-1] overloaded in-stream (TGI answers 200 then an error event) → OVERLOADED', async () => {
    await ctx.fake.setFaults({ overloaded429: { inStream: true } });
    const a = await collect(adapter().submit({ prompt: 'x' }));
    expect(last(a)).toMatchObject({ code: 'OVERLOADED', retriable: true, tokens_emitted: 0 });
    await ctx.fake.setFaults({ overloaded429: { inStream: true } });
    const b = await collect(adapter().submit({ messages: [{ role: 'user', content: 'x' }] }));
    expect(last(b)).toMatchObject({ code: 'OVERLOADED', retriable: true, tokens_emitted: 0 });
  });

  it('[TGI-ERR-8] an in-stream overloaded refusal before any token is retried, on both routes', async () => {
    const a = adapter({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    await ctx.fake.setFaults({ overloaded429: { inStream: true, count: 2 } });
    const g = await a.generate({ prompt: 'x #tokens=2' });
    expect(g.usage.completion_tokens).toBe(2);
    expect(ctx.fake.requests.filter((q) => q.path === '/generate_stream')).toHaveLength(3);
    await ctx.fake.setFaults({ overloaded429: { inStream: true, count: 2 } });
    const c = await a.generate({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
    expect(c.text.length).toBeGreaterThan(0);
    expect(ctx.fake.requests.filter((q) => q.path === '/v1/chat/completions')).toHaveLength(3);
    // Out of attempts: the refusal reaches the caller, still retriable.
    await ctx.fake.setFaults({ overloaded429: { inStream: true, count: 3 } });
    await expect(a.generate({ prompt: 'x' })).rejects.toMatchObject({ code: 'OVERLOADED', retriable: true });
  });

  it('[TGI-ERR-8] an in-stream error after a token is never retried', async () => {
    await ctx.fake.setFaults({ inStreamErrorAfterTokens: { after: 1, errorType: 'generation', count: 1 } });
    const a = adapter({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    const events = await collect(a.submit({ prompt: 'x' }));
    expect(last(events)).toMatchObject({ type: 'error', code: 'UPSTREAM_ERROR', tokens_emitted: 1 });
    expect(ctx.fake.requests.filter((q) => q.path === '/generate_stream')).toHaveLength(1);
  });

  it('[TGI-ERR-5][TGI-ERR-7] a 5xx burst is retried by the transport and then succeeds', async () => {
    await ctx.fake.setFaults({ status5xx: { status: 503, count: 2 } });
    const a = adapter({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    const r = await a.generate({ prompt: 'x #tokens=2' });
    expect(r.usage.completion_tokens).toBe(2);
    expect(ctx.fake.requests.filter((q) => q.path === '/generate_stream')).toHaveLength(3);
  });

  it('[TGI-ERR-5] 424 without retries → UPSTREAM_ERROR status 424', async () => {
    await ctx.fake.setFaults({ status5xx: { status: 424 } });
    const events = await collect(adapter().submit({ prompt: 'x' }));
    expect(last(events)).toMatchObject({ code: 'UPSTREAM_ERROR', status: 424, retriable: true });
  });

  it('[TGI-STREAM-6] malformed JSON mid-stream → PROTOCOL error for that job, the next job works', async () => {
    await ctx.fake.setFaults({ malformedAfterTokens: { after: 2, count: 1 } });
    const a = adapter();
    const events = await collect(a.submit({ prompt: 'x' }));
    expect(last(events)).toMatchObject({ type: 'error', code: 'PROTOCOL', tokens_emitted: 2 });
    expect((await a.generate({ prompt: 'x #tokens=2' })).usage.completion_tokens).toBe(2);
  });

  it('[TGI-STREAM-6] a huge line → PROTOCOL error, not OOM', async () => {
    await ctx.fake.setFaults({ hugeLineAfterTokens: { after: 1, bytes: 4 * 1024 * 1024 } });
    const events = await collect(adapter({ maxLineBytes: 256 * 1024 }).submit({ prompt: 'x' }));
    expect(last(events)).toMatchObject({ type: 'error', code: 'PROTOCOL', tokens_emitted: 1 });
  });

  it('[TGI-STREAM-2] slow drip still delivers every token in order', async () => {
    await ctx.fake.setFaults({ slowDripMs: 5 });
    const events = await collect(adapter().submit({ prompt: 'x #tokens=4' }));
    expect(events.filter((e) => e.type === 'token').map((e) => e.type === 'token' && e.index)).toEqual([
      0, 1, 2, 3,
    ]);
    expect(last(events).type).toBe('end');
  });

  it('[TGI-ERR-1] in-stream generation/validation/incomplete errors map by error_type', async () => {
    const cases = [
      ['generation', 'UPSTREAM_ERROR'],
      ['validation', 'INVALID_REQUEST'],
      ['incomplete_generation_stream', 'UPSTREAM_ERROR'],
    ] as const;
    for (const [errorType, code] of cases) {
      await ctx.fake.setFaults({ inStreamErrorAfterTokens: { after: 1, errorType, count: 1 } });
      const events = await collect(adapter().submit({ prompt: 'x' }));
      expect(last(events), errorType).toMatchObject({ type: 'error', code, tokens_emitted: 1 });
    }
  });

  it('[TGI-ERR-3] plain-text body rejections → INVALID_REQUEST with the text', async () => {
    for (const status of [400, 413, 415, 422] as const) {
      await ctx.fake.setFaults({ plainTextError: { status, count: 1 } });
      const events = await collect(adapter().submit({ prompt: 'x' }));
      const e = last(events);
      expect(e, String(status)).toMatchObject({
        type: 'error',
        code: 'INVALID_REQUEST',
        status,
        retriable: false,
      });
      expect(e.type === 'error' && e.message.length).toBeGreaterThan(10);
    }
  });

  it('[TGI-ERR-4] 401 → UNAUTHORIZED, not retriable', async () => {
    await ctx.fake.setFaults({ unauthorized: true });
    const events = await collect(adapter().submit({ prompt: 'x' }));
    expect(last(events)).toMatchObject({ code: 'UNAUTHORIZED', retriable: false, status: 401 });
  });

  it('[TGI-PARAM-4] validation errors from TGI itself name the field (stop over the /info limit)', async () => {
    const events = await collect(adapter().submit({ prompt: 'x', stop: ['a', 'b', 'c', 'd', 'e'] }));
    expect(last(events)).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
    // Refused locally: TGI never saw it.
    expect(ctx.fake.requests.filter((q) => q.path === '/generate_stream')).toHaveLength(0);
  });

  it('[TGI-CANCEL-1] cancel(jobId) mid-stream closes the upstream connection', async () => {
    await ctx.fake.setFaults({ slowDripMs: 20 });
    const a = adapter();
    const stream = a.submit({ prompt: 'x #tokens=1000' });
    for await (const ev of stream) {
      if (ev.type === 'token') a.cancel(stream.jobId);
    }
    const terminal = await stream.result;
    expect(terminal).toMatchObject({ type: 'error', code: 'CANCELLED' });
    const req = lastRequest('/generate_stream');
    await req.onAborted;
    expect(req.tokensSent).toBeLessThan(1000);
  });
});
