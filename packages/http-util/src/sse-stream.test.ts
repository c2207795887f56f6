import { Readable } from 'node:stream';
import type { OrchError } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random.js';
import { type SseMessage, SseReader } from './sse-stream.js';

const request = { method: 'POST', url: 'http://x/generate_stream', headers: {} };

function reader(chunks: Buffer[], maxLineBytes = 1024 * 1024): SseReader {
  return new SseReader({
    body: Readable.from(chunks),
    status: 200,
    headers: {},
    request,
    maxLineBytes,
    startedAt: performance.now(),
  });
}

async function collect(stream: AsyncIterable<SseMessage>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of stream) out.push(m);
  return out;
}

const PAYLOAD = Buffer.from(
  [
    ': keep-alive comment',
    'data: {"token":{"text":"héllo 👋 世界"}}',
    '',
    'data:{"token":{"text":"no space"}}',
    '',
    'event: custom',
    'id: 7',
    'data: line one',
    'data: line two',
    '',
    ':another comment',
    'data: [DONE]',
    '',
    '',
  ].join('\n'),
  'utf8',
);

const EXPECTED: SseMessage[] = [
  { data: '{"token":{"text":"héllo 👋 世界"}}' },
  { data: '{"token":{"text":"no space"}}' },
  { data: 'line one\nline two', event: 'custom', id: '7' },
  { data: '[DONE]' },
];

describe('SseReader', () => {
  it('[HTTP-SSE-1] data with and without the space, comments ignored, [DONE] passed through', async () => {
    expect(await collect(reader([PAYLOAD]))).toEqual(EXPECTED);
  });

  it('[HTTP-SSE-2] every single split point (LF and CRLF), including inside multi-byte UTF-8 characters', async () => {
    const crlf = Buffer.from(PAYLOAD.toString('utf8').replaceAll('\n', '\r\n'), 'utf8');
    for (const payload of [PAYLOAD, crlf]) {
      for (let i = 1; i < payload.length; i++) {
        const msgs = await collect(reader([payload.subarray(0, i), payload.subarray(i)]));
        expect(msgs, `split at byte ${i}`).toEqual(EXPECTED);
      }
    }
  });

  it('[HTTP-SSE-2] random multi-way splits and 1-byte chunks, CRLF line endings too', async () => {
    const random = createSeededRandom(99);
    const crlf = Buffer.from(PAYLOAD.toString('utf8').replaceAll('\n', '\r\n'), 'utf8');
    for (const payload of [PAYLOAD, crlf]) {
      for (let round = 0; round < 50; round++) {
        const chunks: Buffer[] = [];
        for (let at = 0; at < payload.length; ) {
          const size = 1 + Math.floor(random() * 12);
          chunks.push(payload.subarray(at, at + size));
          at += size;
        }
        expect(await collect(reader(chunks))).toEqual(EXPECTED);
      }
      const bytes = Array.from({ length: payload.length }, (_, i) => payload.subarray(i, i + 1));
      expect(await collect(reader(bytes))).toEqual(EXPECTED);
    }
  });

  it('a last event without its blank line is delivered at a clean end', async () => {
    expect(await collect(reader([Buffer.from('data: a\n\ndata: b')]))).toEqual([
      { data: 'a' },
      { data: 'b' },
    ]);
  });

  it('[HTTP-SSE-3] a line over maxLineBytes is PROTOCOL after the messages before it', async () => {
    const chunks = [Buffer.from('data: ok\n\ndata: '), Buffer.alloc(600, 0x61), Buffer.alloc(600, 0x61)];
    const got: string[] = [];
    let error: OrchError | undefined;
    try {
      for await (const m of reader(chunks, 1000)) got.push(m.data);
    } catch (err) {
      error = err as OrchError;
    }
    expect(got).toEqual(['ok']);
    expect(error?.code).toBe('PROTOCOL');
  });

  it('[HTTP-SSE-3] an event over the limit made of many short lines is PROTOCOL too', async () => {
    const line = Buffer.from(`data: ${'x'.repeat(50)}\n`);
    const chunks = Array.from({ length: 100 }, () => line);
    await expect(collect(reader(chunks, 1000))).rejects.toMatchObject({ code: 'PROTOCOL' });
  });

  it('batches() groups the messages of one read, never empty, and ends like the plain iterator', async () => {
    const r = reader([
      Buffer.from('data: a\n\ndata: b\n\ndata: c'),
      Buffer.from('\n\n: only a comment\n\n'),
      Buffer.from('data: d\n\n'),
    ]);
    const batches: string[][] = [];
    for await (const batch of r.batches()) batches.push(batch.map((m) => m.data));
    expect(batches).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('batches(): messages before a size violation come first, then the PROTOCOL error', async () => {
    const r = reader([Buffer.from('data: ok\n\ndata: '), Buffer.alloc(2000, 0x61)], 1000);
    const got: string[][] = [];
    await expect(
      (async () => {
        for await (const batch of r.batches()) got.push(batch.map((m) => m.data));
      })(),
    ).rejects.toMatchObject({ code: 'PROTOCOL' });
    expect(got).toEqual([['ok']]);
  });

  it('a hook that closes the stream stops delivery at once', async () => {
    let r: SseReader | undefined;
    r = new SseReader({
      body: Readable.from([Buffer.from('data: a\n\n'), Buffer.from('data: b\n\n')]),
      status: 200,
      headers: {},
      request,
      maxLineBytes: 1000,
      startedAt: 0,
      hooks: { onChunk: (i) => (i.chunk.includes('b') ? r?.close() : undefined) },
    });
    expect(await collect(r)).toEqual([{ data: 'a' }]);
  });

  it('close() ends iteration quietly and is idempotent', async () => {
    const r = reader([Buffer.from('data: a\n\n'), Buffer.from('data: b\n\n')]);
    const it = r[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ data: 'a' });
    r.close();
    r.close();
    expect((await it.next()).done).toBe(true);
  });
});
