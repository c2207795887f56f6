import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { endSse, queueSse, sendData, startSse } from './sse-sink.js';

async function serve(handler: (res: ServerResponse) => void | Promise<void>) {
  const server = createServer((_req, res) => {
    startSse(res);
    void handler(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Counts the response's writes, so a test can see how many chunks left. */
function countWrites(res: ServerResponse): string[] {
  const writes: string[] = [];
  const write = res.write.bind(res) as (chunk: string) => boolean;
  res.write = ((chunk: string) => {
    writes.push(String(chunk));
    return write(chunk);
  }) as ServerResponse['write'];
  return writes;
}

describe('sse-sink', () => {
  it('[ORCHD-API-3][ORCHD-COMPAT-3] the frames of one loop turn leave as one write, in order, each its own frame', async () => {
    let writes: string[] = [];
    let afterTurn = -1;
    const s = await serve(async (res) => {
      writes = countWrites(res);
      for (let i = 0; i < 50; i++) sendData(res, JSON.stringify({ i }));
      // Nothing waits for more tokens: the batch is out once this turn ends.
      await new Promise((r) => setImmediate(r));
      afterTurn = writes.length;
      queueSse(res, 'event: end\ndata: {}\n\n');
      endSse(res);
    });
    try {
      const r = await request(s.url);
      const text = await r.body.text();
      const frames = text.split('\n\n').filter(Boolean);
      expect(frames).toHaveLength(51);
      expect(frames.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => `data: {"i":${i}}`));
      expect(frames[50]).toBe('event: end\ndata: {}');
      expect(afterTurn).toBe(1);
      // endSse sent the pending end frame with the final chunk (res.end), not as a write of its own.
      expect(writes).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('[ORCHD-COMPAT-3] a reader that does not read pauses the producer; what is held stays bounded', async () => {
    const total = 3_000;
    let waits = 0;
    let maxHeld = 0;
    const s = await serve(async (res) => {
      const frame = (i: number) => `data: ${String(i).padStart(6, '0')}${'x'.repeat(1000)}\n\n`;
      for (let i = 0; i < total; i++) {
        const wait = queueSse(res, frame(i));
        maxHeld = Math.max(maxHeld, res.writableLength);
        if (wait) {
          waits++;
          await wait;
        }
      }
      endSse(res);
    });
    try {
      const r = await request(s.url);
      // Let the producer hit a full socket before reading anything.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const text = await r.body.text();
      const frames = text.split('\n\n').filter(Boolean);
      expect(frames).toHaveLength(total);
      expect(frames.map((f) => Number(f.slice(6, 12)))).toEqual(Array.from({ length: total }, (_, i) => i));
      // 3 MB went out, never more than a batch and a frame over the socket's high-water mark held here.
      expect(waits).toBeGreaterThan(0);
      expect(maxHeld).toBeLessThan(16 * 1024 + 16 * 1024 + 2048);
    } finally {
      await s.close();
    }
  });

  it('[ORCHD-API-3] with nothing to send yet, the headers still leave at the end of the loop turn', async () => {
    let release: () => void = () => {};
    const later = new Promise<void>((r) => {
      release = r;
    });
    const s = await serve(async (res) => {
      await later;
      sendData(res, 'late');
      endSse(res);
    });
    try {
      // The 200 and its headers arrive while the handler still waits for its first frame.
      const r = await request(s.url);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('text/event-stream');
      release();
      expect(await r.body.text()).toBe('data: late\n\n');
    } finally {
      release();
      await s.close();
    }
  });

  it('queues nothing once the response is ended or destroyed', async () => {
    const s = await serve((res) => {
      endSse(res);
      expect(queueSse(res, 'data: late\n\n')).toBeUndefined();
    });
    try {
      const r = await request(s.url);
      expect(await r.body.text()).toBe('');
    } finally {
      await s.close();
    }
  });
});
