import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrchError } from '@orch/adapter-api';
import { afterEach, describe, expect, it } from 'vitest';
import { sseHead, startWireServer, type WireServer, write } from './__fixtures__/wire-server.js';
import { HttpClient } from './http-client.js';
import type { HttpClientOptions } from './http-client-options.js';
import type { SseMessage } from './sse-stream.js';

let server: WireServer | undefined;
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

function client(url: string, extra: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({ baseUrl: url, retry: false, breaker: false, ...extra });
  clients.push(c);
  return c;
}

async function drain(stream: AsyncIterable<SseMessage>): Promise<{ data: string[]; error?: OrchError }> {
  const data: string[] = [];
  try {
    for await (const m of stream) data.push(m.data);
  } catch (err) {
    if (err instanceof OrchError) return { data, error: err };
    throw err;
  }
  return { data };
}

describe('HttpClient over a real socket', () => {
  it('[HTTP-SSE-1][HTTP-SSE-2] framing variants in separate writes, split inside a UTF-8 character', async () => {
    const text = Buffer.from('data: {"t":"é👋"}\n\n', 'utf8');
    server = await startWireServer(async (_req, res, body) => {
      expect(JSON.parse(body)).toEqual({ inputs: 'hi' });
      sseHead(res);
      await write(res, ': ping\n\n');
      await write(res, text.subarray(0, 13));
      await new Promise((r) => setTimeout(r, 5));
      await write(res, text.subarray(13));
      await write(res, 'data:{"t":"x"}\n\ndata: [DONE]\n\n');
      res.end();
    });
    const stream = await client(server.url).openSse('/generate_stream', { body: { inputs: 'hi' } });
    expect(stream.headers['content-type']).toBe('text/event-stream');
    expect(await drain(stream)).toEqual({ data: ['{"t":"é👋"}', '{"t":"x"}', '[DONE]'] });
  });

  it('[HTTP-SSE-3] a 10 MB line is a PROTOCOL error, read no further than the limit plus one chunk', async () => {
    let serverWrote = 0;
    server = await startWireServer(async (_req, res) => {
      sseHead(res);
      await write(res, 'data: ');
      const block = Buffer.alloc(64 * 1024, 0x61);
      while (serverWrote < 10 * 1024 * 1024) {
        if (!(await write(res, block))) return;
        serverWrote += block.length;
      }
      res.end('\n\n');
    });
    let bytesRead = -1;
    const c = client(server.url, {
      hooks: {
        onStreamComplete: (i) => {
          bytesRead = i.bytes;
        },
      },
    });
    const result = await drain(await c.openSse('/s', { body: {} }));
    expect(result.error?.code).toBe('PROTOCOL');
    expect(bytesRead).toBeGreaterThan(1024 * 1024);
    expect(bytesRead).toBeLessThan(1024 * 1024 + 256 * 1024);
    await server.closed[0];
  });

  it('[HTTP-SSE-4] a body cut mid-stream is a NETWORK error after the delivered messages', async () => {
    server = await startWireServer(async (_req, res) => {
      sseHead(res);
      await write(res, 'data: 1\n\ndata: 2\n\ndata: par');
      await new Promise((r) => setTimeout(r, 5));
      res.socket?.destroy();
    });
    const result = await drain(await client(server.url).openSse('/s', { body: {} }));
    expect(result.data).toEqual(['1', '2']);
    expect(result.error?.code).toBe('NETWORK');
    expect(result.error?.retriable).toBe(true);
  });

  it('[HTTP-SSE-4] a content-length body cut short is a NETWORK error', async () => {
    server = await startWireServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-length': '1000' });
      await write(res, 'data: 1\n\n');
      await new Promise((r) => setTimeout(r, 5));
      res.socket?.destroy();
    });
    const result = await drain(await client(server.url).openSse('/s', { body: {} }));
    expect(result.data).toEqual(['1']);
    expect(result.error?.code).toBe('NETWORK');
  });

  it('[HTTP-CANCEL-1] aborting the signal stops the stream with CANCELLED and closes the socket', async () => {
    server = await startWireServer(async (_req, res) => {
      sseHead(res);
      await write(res, 'data: first\n\n');
    });
    const ac = new AbortController();
    const stream = await client(server.url).openSse('/s', { body: {}, signal: ac.signal });
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ data: 'first' });
    const pending = it.next();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await server.closed[0];
  });

  it('[HTTP-CANCEL-2] breaking out of for-await closes the socket (upstream sees the cancel)', async () => {
    server = await startWireServer(async (_req, res) => {
      sseHead(res);
      for (let i = 0; i < 5; i++) await write(res, `data: ${i}\n\n`);
    });
    let closedReported: OrchError | undefined;
    const c = client(server.url, {
      hooks: {
        onStreamComplete: (i) => {
          closedReported = i.error;
        },
      },
    });
    const stream = await c.openSse('/s', { body: {} });
    for await (const m of stream) {
      if (m.data === '0') break;
    }
    await server.closed[0];
    expect(closedReported?.code).toBe('CANCELLED');
  });

  it('[HTTP-CANCEL-2] breaking out of batches() closes the socket too', async () => {
    server = await startWireServer(async (_req, res) => {
      sseHead(res);
      await write(res, 'data: 0\n\ndata: 1\n\n');
    });
    const stream = await client(server.url).openSse('/s', { body: {} });
    for await (const batch of stream.batches()) {
      expect(batch.map((m) => m.data)).toEqual(['0', '1']);
      break;
    }
    await server.closed[0];
  });

  it('[HTTP-CANCEL-1] abort before the headers arrive cancels the request and closes the socket', async () => {
    let arrived: () => void = () => {};
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    server = await startWireServer(() => arrived());
    const ac = new AbortController();
    const opening = client(server.url).openSse('/s', { body: {}, signal: ac.signal });
    await requestArrived;
    ac.abort();
    await expect(opening).rejects.toMatchObject({ code: 'CANCELLED' });
    await server.closed[0];
  });

  it('[HTTP-TIMEOUT-1] headers timeout (server accepts, never answers) is TIMEOUT phase headers', async () => {
    server = await startWireServer(() => {});
    const err = await client(server.url, { headersTimeoutMs: 150 })
      .openSse('/s', { body: {} })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', timeoutPhase: 'headers', retriable: true });
  });

  it('[HTTP-TIMEOUT-2] a stalled body is TIMEOUT phase idle after the delivered messages', async () => {
    server = await startWireServer(async (_req, res) => {
      sseHead(res);
      await write(res, 'data: 1\n\n');
    });
    const result = await drain(await client(server.url, { bodyTimeoutMs: 150 }).openSse('/s', { body: {} }));
    expect(result.data).toEqual(['1']);
    expect(result.error).toMatchObject({ code: 'TIMEOUT', timeoutPhase: 'idle' });
  });

  it('[HTTP-TIMEOUT-3] requestJson timeoutMs is a per-attempt TIMEOUT phase total', async () => {
    server = await startWireServer(() => {});
    const err = await client(server.url)
      .requestJson('/info', { timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', timeoutPhase: 'total' });
    await server.closed[0];
  });

  it('[HTTP-NET-1] connection refused is NETWORK and retriable, and is retried', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const delays: number[] = [];
    const c = client(`http://127.0.0.1:${port}`, {
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      hooks: { onRetry: (i) => delays.push(i.delayMs) },
    });
    const err = await c.requestJson('/info').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK', retriable: true });
    expect(delays).toHaveLength(1);
  });

  it('[HTTP-CANCEL-4] a long-lived caller signal keeps no abort listeners after requests and streams end', async () => {
    server = await startWireServer(async (req, res) => {
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
        return;
      }
      sseHead(res);
      await write(res, 'data: a\n\ndata: b\n\n');
      res.end();
    });
    const ac = new AbortController();
    const c = client(server.url);
    for (let i = 0; i < 10; i++) {
      await c.requestJson('/json', { signal: ac.signal, timeoutMs: 5000 });
      await c.requestJson('/json', { signal: ac.signal });
      expect((await drain(await c.openSse('/s', { body: {}, signal: ac.signal }))).data).toEqual(['a', 'b']);
      const early = await c.openSse('/s', { body: {}, signal: ac.signal });
      for await (const _ of early) break;
    }
    await new Promise((r) => setImmediate(r));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('[HTTP-BRK-1] a stream cut mid-body counts against the breaker', async () => {
    server = await startWireServer(async (_req, res) => {
      sseHead(res);
      await write(res, 'data: 1\n\n');
      res.socket?.destroy();
    });
    const c = client(server.url, { breaker: { failureThreshold: 1 } });
    expect((await drain(await c.openSse('/s', { body: {} }))).error?.code).toBe('NETWORK');
    expect(c.breaker?.state).toBe('open');
  });

  it('keeps connections alive across requests', async () => {
    const ports = new Set<number>();
    server = await startWireServer((req, res) => {
      ports.add(req.socket.remotePort ?? -1);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const c = client(server.url, { connections: 1 });
    for (let i = 0; i < 5; i++)
      expect((await c.requestJson('/x', { body: { i } })).body).toEqual({ ok: true });
    expect(ports.size).toBe(1);
  });
});
