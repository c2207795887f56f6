import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrchError, type TokenStream } from '@orch/adapter-api';
import { MockAdapter } from '@orch/adapter-api/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorFromResponse, parseRetryAfter } from './client-error.js';
import { OrchClient } from './orch-client.js';

// A small stand-in for the daemon's native API over a MockAdapter (the daemon's own end-to-end
// tests run this client against the real server).
const adapter = new MockAdapter({ model: 'mock-model' });
const streams = new Map<string, TokenStream>();
const logs = new Map<string, Array<{ type: string }>>();
const seen: { auth?: string; cancels: string[]; truncate: false | 'end' | 'destroy' } = {
  cancels: [],
  truncate: false,
};
let server: Server;
let base: string;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const c of req) text += String(c);
  return text === '' ? undefined : JSON.parse(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  seen.auth = req.headers.authorization;
  const url = req.url ?? '/';
  if (req.method === 'POST' && url === '/v2/tasks') {
    const task = (await body(req)) as Record<string, unknown>;
    if (task.model === 'busy') {
      json(
        res,
        429,
        {
          code: 'QUEUE_FULL_DROP_LRU',
          message: 'queue full',
          retriable: true,
          retry_after_ms: 250,
          policy_label: 'x',
        },
        { 'retry-after': '1' },
      );
      return;
    }
    if (task.model === 'down') {
      json(res, 503, { error: { code: 'POOL_UNREADY', message: 'no ready replica', retriable: true } });
      return;
    }
    try {
      const stream = adapter.submit(task as never);
      streams.set(stream.jobId, stream);
      const log: Array<{ type: string }> = [];
      logs.set(stream.jobId, log);
      stream.on('event', (ev) => log.push(ev));
      json(res, 202, { task_id: stream.jobId, queue_position: 0, predicted_start_ms: 3, streams: {} });
    } catch (err) {
      const e = err as OrchError;
      json(res, 400, { error: { code: e.code, message: e.message, retriable: false, field: e.field } });
    }
    return;
  }
  const events = url.match(/^\/v2\/tasks\/([^/]+)\/events$/);
  if (events) {
    const stream = streams.get(decodeURIComponent(events[1]!));
    if (!stream)
      return json(res, 404, { error: { code: 'NOT_FOUND', message: 'no task', retriable: false } });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': keep-alive\n\n');
    const write = (ev: { type: string }) => {
      if (seen.truncate && ev.type === 'end') {
        if (seen.truncate === 'end') res.end();
        else res.destroy();
        return;
      }
      res.write(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
      if (ev.type === 'token') res.write('event: metrics\ndata: {"queue_depth":0}\n\n');
      if (ev.type === 'end' || ev.type === 'error') res.end();
    };
    // Replays what already happened, then follows, like the daemon's job events.
    const log = logs.get(stream.jobId) ?? [];
    for (const ev of log) write(ev);
    if (log.some((ev) => ev.type === 'end' || ev.type === 'error')) return;
    const onEvent = (ev: { type: string }) => write(ev);
    stream.on('event', onEvent);
    res.once('close', () => stream.off('event', onEvent));
    return;
  }
  const cancel = url.match(/^\/v2\/tasks\/([^/]+)\/cancel$/);
  if (cancel && req.method === 'POST') {
    const id = decodeURIComponent(cancel[1]!);
    seen.cancels.push(id);
    streams.get(id)?.cancel();
    res.writeHead(204);
    res.end();
    return;
  }
  if (url === '/v2/pools') return json(res, 200, { pools: [{ id: 'default' }] });
  if (url === '/v2/models') return json(res, 200, { models: [{ id: 'mock-model', pools: ['default'] }] });
  if (url === '/healthz') return json(res, 200, { status: 'ok' });
  if (url === '/readyz') return json(res, 503, { error: { code: 'POOL_UNREADY', message: 'not ready' } });
  json(res, 404, { error: { code: 'NOT_FOUND', message: 'no route' } });
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  adapter.reset();
  seen.truncate = false;
});

describe('OrchClient', () => {
  it('[CLIENT-1] submit returns the admission; events yield started, tokens, end', async () => {
    const client = new OrchClient({ baseUrl: `${base}/`, token: 's3cret' });
    const sub = await client.submit({ prompt: 'hi', priority: 'batch' });
    expect(sub).toMatchObject({ queue_position: 0, predicted_start_ms: 3 });
    expect(seen.auth).toBe('Bearer s3cret');
    const types: string[] = [];
    let text = '';
    for await (const ev of client.events(sub.task_id)) {
      types.push(ev.type);
      if (ev.type === 'token') text += ev.text;
    }
    expect(types).toEqual(['started', 'token', 'token', 'token', 'token', 'end']);
    expect(text).toBe('Hello, world!');
  });

  it('[CLIENT-2] generate collects the result', async () => {
    const r = await new OrchClient({ baseUrl: base }).generate({ prompt: 'hi', max_tokens: 2 });
    expect(r).toMatchObject({ text: 'Hello,', finish_reason: 'length', model: 'mock-model', engine: 'mock' });
    expect(r.usage.completion_tokens).toBe(2);
  });

  it('[CLIENT-3] leaving a stream early cancels the task on the daemon', async () => {
    adapter.configure({ hang: { afterTokens: 1 } });
    const client = new OrchClient({ baseUrl: base });
    const aborted = adapter.nextAbort();
    let taskId = '';
    for await (const ev of client.stream({ prompt: 'hi' })) {
      taskId = ev.job_id;
      if (ev.type === 'token') break;
    }
    await aborted;
    expect(seen.cancels).toContain(taskId);
  });

  it('[CLIENT-4] daemon errors become OrchError with the daemon code, field and retry hints', async () => {
    const client = new OrchClient({ baseUrl: base });
    const bad = await client.submit({ prompt: 'x', temperature: -1 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OrchError);
    expect(bad).toMatchObject({ code: 'INVALID_REQUEST', field: 'temperature', status: 400 });

    const busy = await client.submit({ prompt: 'x', model: 'busy' }).catch((e: unknown) => e);
    expect(busy).toMatchObject({
      code: 'RATE_LIMITED',
      upstreamType: 'QUEUE_FULL_DROP_LRU',
      retryAfterMs: 250,
      status: 429,
      retriable: true,
    });
    const down = await client.submit({ prompt: 'x', model: 'down' }).catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'OVERLOADED', upstreamType: 'POOL_UNREADY', status: 503 });

    const missing = await (async () => {
      for await (const _ of client.events('nope')) {
        // no events expected
      }
    })().catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('[CLIENT-4] a job that fails mid-stream rejects generate with its code', async () => {
    adapter.configure({
      failAfterTokens: { after: 1, error: new OrchError('UPSTREAM_ERROR', 'replica died') },
    });
    const err = await new OrchClient({ baseUrl: base }).generate({ prompt: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'replica died', retriable: false });
  });

  it('[CLIENT-5] a stream cut before its terminal event is a PROTOCOL error, not a clean end', async () => {
    const client = new OrchClient({ baseUrl: base });
    seen.truncate = 'end';
    const clean = await client.generate({ prompt: 'x' }).catch((e: unknown) => e);
    expect(clean).toBeInstanceOf(OrchError);
    expect((clean as OrchError).code).toBe('PROTOCOL');
    seen.truncate = 'destroy';
    const cut = await client.generate({ prompt: 'x' }).catch((e: unknown) => e);
    expect((cut as OrchError).code).toBe('NETWORK');
  });

  it('[CLIENT-6] abort signal and unreachable daemon', async () => {
    adapter.configure({ hang: { afterTokens: 0 } });
    const client = new OrchClient({ baseUrl: base });
    const controller = new AbortController();
    const sub = await client.submit({ prompt: 'x' });
    const run = (async () => {
      for await (const ev of client.events(sub.task_id, { signal: controller.signal })) {
        if (ev.type === 'started') controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(await run).toMatchObject({ code: 'CANCELLED' });
    await client.cancel(sub.task_id);

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await new OrchClient({ baseUrl: `http://127.0.0.1:${port}` })
      .pools()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK' });
    expect(() => new OrchClient({ baseUrl: 'ftp://x' })).toThrow(/http or https/);
  });

  it('[CLIENT-7] pools, models, health', async () => {
    const client = new OrchClient({ baseUrl: base });
    expect(await client.pools()).toEqual([{ id: 'default' }]);
    expect(await client.models()).toEqual([{ id: 'mock-model', pools: ['default'] }]);
    const health = await client.health();
    expect(health.live).toEqual({ ok: true, status: 200, body: { status: 'ok' } });
    expect(health.ready).toMatchObject({ ok: false, status: 503, body: { code: 'OVERLOADED' } });
  });

  it('[CLIENT-4] error parsing helpers: Retry-After seconds or date, plain-text bodies', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    const e = errorFromResponse(502, 'Bad gateway', {});
    expect(e).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'Bad gateway', status: 502 });
  });
});
