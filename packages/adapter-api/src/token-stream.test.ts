import { describe, expect, it } from 'vitest';
import { OrchError } from './errors.js';
import type { SourceEvent, TokenEvent } from './events.js';
import { createTokenStream } from './token-stream.js';

function streamOf(events: Array<SourceEvent | Error>, extra: { signal?: AbortSignal } = {}) {
  return createTokenStream({
    jobId: 'j1',
    engine: 'test',
    model: 'm',
    ...extra,
    async *source() {
      for (const ev of events) {
        if (ev instanceof Error) throw ev;
        yield ev;
      }
    },
  });
}

async function all(s: AsyncIterable<TokenEvent>): Promise<TokenEvent[]> {
  const out: TokenEvent[] = [];
  for await (const ev of s) out.push(ev);
  return out;
}

describe('TokenStream invariants', () => {
  it('[ADAPTER-STREAM-1] synthesises started when the source begins with a token', async () => {
    const events = await all(
      streamOf([
        { type: 'token', text: 'a' },
        { type: 'end', finish_reason: 'stop' },
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(['started', 'token', 'end']);
    expect(events[2]).toMatchObject({ text: 'a', usage: { completion_tokens: 1 } });
  });

  it('[ADAPTER-STREAM-6] end.text defaults to the non-special token texts, and an engine text wins', async () => {
    const a = await all(
      streamOf([
        { type: 'token', text: 'x' },
        { type: 'token', text: '</s>', special: true },
        { type: 'end', finish_reason: 'stop' },
      ]),
    );
    expect(a.at(-1)).toMatchObject({ type: 'end', text: 'x' });
    const b = await all(
      streamOf([
        { type: 'token', text: 'x' },
        { type: 'end', finish_reason: 'stop', text: 'X!' },
      ]),
    );
    expect(b.at(-1)).toMatchObject({ type: 'end', text: 'X!' });
  });

  it('[ADAPTER-STREAM-3] a source that ends without a final event is a PROTOCOL error, not an end', async () => {
    const events = await all(streamOf([{ type: 'started' }, { type: 'token', text: 'a' }]));
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'PROTOCOL',
      tokens_emitted: 1,
      retriable: false,
    });
  });

  it('[ADAPTER-STREAM-7] nothing after the terminal event, even if the source goes on', async () => {
    const events = await all(
      streamOf([
        { type: 'token', text: 'a' },
        { type: 'end', finish_reason: 'stop' },
        { type: 'token', text: 'late' },
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(['started', 'token', 'end']);
  });

  it('[ADAPTER-STREAM-8] an error thrown before any token is retriable when the error is', async () => {
    const events = await all(
      streamOf([new OrchError('OVERLOADED', 'busy', { status: 429, retryAfterMs: 50 })]),
    );
    expect(events.map((e) => e.type)).toEqual(['started', 'error']);
    expect(events[1]).toMatchObject({ code: 'OVERLOADED', retriable: true, status: 429, retry_after_ms: 50 });
  });

  it('[ADAPTER-STREAM-3] an error after a token is never retriable', async () => {
    const events = await all(streamOf([{ type: 'token', text: 'a' }, new OrchError('NETWORK', 'reset')]));
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'NETWORK',
      retriable: false,
      tokens_emitted: 1,
    });
  });

  it('[ADAPTER-CANCEL-2] an already aborted signal cancels before the source runs', async () => {
    let ran = false;
    const ac = new AbortController();
    ac.abort();
    const stream = createTokenStream({
      jobId: 'j2',
      engine: 'test',
      model: 'm',
      signal: ac.signal,
      async *source() {
        ran = true;
        yield { type: 'end', finish_reason: 'stop' } as SourceEvent;
      },
    });
    const terminal = await stream.result;
    expect(terminal).toMatchObject({ type: 'error', code: 'CANCELLED' });
    expect(ran).toBe(false);
  });

  it('[ADAPTER-ERR-3] OrchError instanceof works across copies through the Symbol.for brand', () => {
    const foreign = Object.create({ [Symbol.for('orch.error')]: true });
    expect(foreign instanceof OrchError).toBe(true);
    expect(new Error('x') instanceof OrchError).toBe(false);
  });

  it('[ADAPTER-STREAM-9] a source may yield batches; events come out one by one, in order', async () => {
    const stream = createTokenStream({
      jobId: 'b',
      engine: 'test',
      model: 'm',
      async *source() {
        yield [
          { type: 'started', engine_version: '9' },
          { type: 'token', text: 'a' },
          { type: 'token', text: 'b' },
        ];
        yield [
          { type: 'token', text: 'c' },
          { type: 'end', finish_reason: 'length' },
          { type: 'token', text: 'x' },
        ];
      },
    });
    const events = await all(stream);
    expect(events.map((e) => (e.type === 'token' ? `${e.index}:${e.text}` : e.type))).toEqual([
      'started',
      '0:a',
      '1:b',
      '2:c',
      'end',
    ]);
    expect(events[0]).toMatchObject({ engine_version: '9' });
  });

  it('[ADAPTER-CANCEL-4] a source that ignores its signal cannot hold the consumer after cancel', async () => {
    const stream = createTokenStream({
      jobId: 'h',
      engine: 'test',
      model: 'm',
      async *source() {
        yield { type: 'token', text: 'a' };
        await new Promise(() => {});
      },
    });
    const seen: string[] = [];
    for await (const ev of stream) {
      seen.push(ev.type);
      if (ev.type === 'token') setImmediate(() => stream.cancel());
    }
    expect(seen).toEqual(['started', 'token', 'error']);
    expect(await stream.result).toMatchObject({ code: 'CANCELLED', tokens_emitted: 1 });
  });

  it('[ADAPTER-CANCEL-1] cancel after the engine finished but before the consumer saw it still wins', async () => {
    const stream = createTokenStream({
      jobId: 'late',
      engine: 'test',
      model: 'm',
      async *source() {
        yield [
          { type: 'token', text: 'a' },
          { type: 'token', text: 'b' },
          { type: 'end', finish_reason: 'stop' },
        ];
      },
    });
    const seen: string[] = [];
    for await (const ev of stream) {
      seen.push(ev.type === 'token' ? ev.text : ev.type);
      if (ev.type === 'token' && ev.text === 'a') stream.cancel();
    }
    expect(seen).toEqual(['started', 'a', 'error']);
    expect(await stream.result).toMatchObject({ code: 'CANCELLED', tokens_emitted: 1 });
  });
});
