import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  mockPool,
  parseSse,
  readSse,
  startTestDaemon,
  type TestDaemon,
  until,
} from '../__fixtures__/daemon-harness.js';
import { startDaemon } from '../daemon.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

const TOKEN = 'user-token-0123456789abcdef';
const ADMIN = 'admin-token-fedcba9876543210';

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('HTTP server', () => {
  it('[ORCHD-HTTP-1] every response carries X-Correlation-Id: echoed when valid, generated otherwise', async () => {
    d = await startTestDaemon([mockPool('p')]);
    const echoed = await fetch(`${d.url}/v2/pools`, { headers: { 'x-correlation-id': 'abc-123' } });
    expect(echoed.headers.get('x-correlation-id')).toBe('abc-123');
    const nf = await fetch(`${d.url}/nope`);
    expect(nf.status).toBe(404);
    expect(nf.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await fetch(`${d.url}/v2/pools`, { headers: { 'x-correlation-id': 'bad id with spaces' } });
    expect(bad.headers.get('x-correlation-id')).not.toBe('bad id with spaces');
    const sse = await post(
      `${d.url}/v2/batches`,
      { tasks: [{ prompt: 'a' }], stream: true },
      { 'x-correlation-id': 'stream-1' },
    );
    expect(sse.headers.get('x-correlation-id')).toBe('stream-1');
    await sse.text();
    const m405 = await fetch(`${d.url}/v2/tasks`);
    expect(m405.status).toBe(405);
    expect(m405.headers.get('allow')).toBe('POST');
  });

  it('[ORCHD-HTTP-2] x-orch-overhead-ms on responses and an overhead histogram in /metrics', async () => {
    d = await startTestDaemon([mockPool('p')]);
    const res = await post(`${d.url}/v2/tasks`, { prompt: 'a' });
    const overhead = Number(res.headers.get('x-orch-overhead-ms'));
    expect(Number.isFinite(overhead)).toBe(true);
    expect(overhead).toBeGreaterThanOrEqual(0);
    const text = await (await fetch(`${d.url}/metrics`)).text();
    expect(text).toMatch(/orchd_overhead_ms_bucket\{le="[^"]+",route="\/v2\/tasks"\}/);
  });

  it('[ORCHD-HTTP-3][ORCHD-HTTP-4] bad JSON, oversized bodies and invalid fields are 400/413 naming the problem', async () => {
    d = await startTestDaemon([mockPool('p')], { server: { addr: '127.0.0.1:0', body_limit_bytes: 2048 } });
    const badJson = await post(`${d.url}/v2/tasks`, '{"prompt": ');
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { message: string } }).error.message).toMatch(
      /not valid JSON/,
    );
    const big = await post(`${d.url}/v2/tasks`, { prompt: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    const field = await post(`${d.url}/v2/tasks`, { prompt: 'x', max_tokens: -3 });
    expect(field.status).toBe(400);
    expect(((await field.json()) as { error: { field: string } }).error.field).toBe('max_tokens');
    const unknown = await post(`${d.url}/v2/tasks`, { prompt: 'x', placement: { pin: { pol: 'p' } } });
    expect(((await unknown.json()) as { error: { field: string } }).error.field).toMatch(/^placement\.pin/);
  });

  it('[ORCHD-SEC-1][ORCHD-SEC-2] bearer auth: 401 JSON without a valid token, admin routes need the admin token', async () => {
    d = await startTestDaemon([mockPool('p')], {}, { env: { ORCHD_TOKEN: TOKEN, ORCHD_ADMIN_TOKEN: ADMIN } });
    const none = await post(`${d.url}/v2/tasks`, { prompt: 'a' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({
      error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/missing bearer/) },
    });
    expect((await post(`${d.url}/v2/tasks`, { prompt: 'a' }, { authorization: 'Bearer wrong' })).status).toBe(
      401,
    );
    expect(
      (await post(`${d.url}/v2/tasks`, { prompt: 'a' }, { authorization: `Bearer ${TOKEN}` })).status,
    ).toBe(202);
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${d.url}/metrics`)).status).toBe(200);
    expect((await post(`${d.url}/v2/pools/p/drain`, {}, { authorization: `Bearer ${TOKEN}` })).status).toBe(
      401,
    );
    expect((await post(`${d.url}/v2/pools/p/drain`, {}, { authorization: `Bearer ${ADMIN}` })).status).toBe(
      202,
    );
    expect((await post(`${d.url}/v2/pools/p/undrain`, {})).status).toBe(401);
    expect((await post(`${d.url}/v2/pools/p/undrain`, {}, { authorization: `Bearer ${TOKEN}` })).status).toBe(
      401,
    );
    expect((await post(`${d.url}/v2/pools/p/undrain`, {}, { authorization: `Bearer ${ADMIN}` })).status).toBe(
      204,
    );
  });

  it('[ORCHD-SEC-1] metrics and health can be made private by config', async () => {
    d = await startTestDaemon(
      [mockPool('p')],
      { auth: { public_metrics: false, public_health: false } },
      { env: { ORCHD_TOKEN: TOKEN } },
    );
    expect((await fetch(`${d.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${d.url}/healthz`)).status).toBe(401);
    expect((await fetch(`${d.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );
  });

  it('[ORCHD-SEC-3] refuses to bind a non-loopback address without a token unless allowed', async () => {
    await expect(
      startDaemon(
        { server: { addr: '0.0.0.0:0' }, pools: [mockPool('p')] },
        { env: {}, defaultMetrics: false },
      ),
    ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0:0 without a bearer token/);
    const ok = await startDaemon(
      {
        server: { addr: '0.0.0.0:0', allow_unauthenticated: true },
        pools: [mockPool('p')],
        log: { level: 'silent' },
      },
      { env: {}, defaultMetrics: false },
    );
    await ok.close(0);
  });

  it('[ORCHD-SEC-4] logs carry correlation/job/pool/replica ids and never a secret', async () => {
    const apiKey = 'sk-upstream-secret-value-42';
    d = await startTestDaemon(
      [mockPool('p', ['r0'], { replicas: [{ id: 'r0', api_key_env: 'UPSTREAM_KEY' }] })],
      {},
      { env: { ORCHD_TOKEN: TOKEN, ORCHD_ADMIN_TOKEN: ADMIN, UPSTREAM_KEY: apiKey } },
    );
    d.mock('p').configure({
      failAfterTokens: {
        after: 1,
        error: new (await import('@orch/adapter-api')).OrchError('UPSTREAM_ERROR', 'cut'),
      },
    });
    const auth = { authorization: `Bearer ${TOKEN}`, 'x-correlation-id': 'corr-log-1' };
    const { task_id } = (await (await post(`${d.url}/v2/tasks`, { prompt: 'a' }, auth)).json()) as {
      task_id: string;
    };
    await readSse(await fetch(`${d.url}/v2/tasks/${task_id}/events`, { headers: auth }));
    await post(`${d.url}/v2/tasks`, { prompt: 'a' }, { authorization: 'Bearer not-the-token-123456' });
    await post(`${d.url}/v2/pools/p/drain`, {}, { authorization: `Bearer ${ADMIN}` });
    await d.close();
    const all = d.logs.join('');
    expect(all).toContain('corr-log-1');
    const failed = d.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'task failed');
    expect(failed).toMatchObject({ job_id: task_id, pool: 'p', replica: 'r0', correlation_id: 'corr-log-1' });
    for (const secret of [TOKEN, ADMIN, apiKey, 'not-the-token-123456']) expect(all).not.toContain(secret);
    d = undefined;
  });

  it('[ORCHD-SHUT-1] graceful shutdown: new requests get 503, running jobs finish within the grace period', async () => {
    d = await startTestDaemon([mockPool('p')]);
    d.mock('p').configure({ tokenDelayMs: 30 });
    const { task_id } = (await (await post(`${d.url}/v2/tasks`, { prompt: 'a' })).json()) as {
      task_id: string;
    };
    const stream = await fetch(`${d.url}/v2/tasks/${task_id}/events`);
    const events = stream.text();
    await until(() => d!.daemon.orchestrator.getJob(task_id)?.state === 'running');
    const closing = d.daemon.close(5_000);
    expect(d.daemon.orchestrator.accepting).toBe(false);
    // A fresh connection (idle keep-alive ones are closed when shutdown starts).
    const fresh = new Agent();
    const refused = await request(`${d.url}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":"late"}',
      dispatcher: fresh,
    });
    expect(refused.statusCode).toBe(503);
    expect(await refused.body.json()).toMatchObject({ code: 'SHUTTING_DOWN' });
    await fresh.close();
    expect(() => d!.daemon.orchestrator.submit({ prompt: 'b' }, { correlationId: 'x' })).toThrow(
      /shutting down/,
    );
    const list = parseSse(await events);
    expect(list.at(-1)?.event).toBe('end');
    await closing;
    d = undefined;
  });

  it('[ORCHD-SHUT-1] past the grace period running jobs are cancelled', async () => {
    d = await startTestDaemon([mockPool('p')]);
    const m = d.mock('p');
    m.configure({ hang: { afterTokens: 1 } });
    const job = d.daemon.orchestrator.submit({ prompt: 'a' }, { correlationId: 'x' });
    await until(() => job.state === 'running');
    await d.daemon.close(20);
    expect(await job.result).toMatchObject({ type: 'error', code: 'CANCELLED' });
    expect(m.abortsObserved).toBe(1);
    d = undefined;
  });

  it('[ORCHD-API-9] label cardinality stays bounded: unknown paths share one route label', async () => {
    d = await startTestDaemon([mockPool('p')]);
    for (let i = 0; i < 20; i++) await (await fetch(`${d.url}/random/${i}/path-${Math.random()}`)).text();
    for (let i = 0; i < 5; i++) await (await fetch(`${d.url}/v2/tasks/unknown-${i}`)).text();
    const text = await (await fetch(`${d.url}/metrics`)).text();
    const routes = new Set(
      [...text.matchAll(/orchd_http_requests_total\{route="([^"]+)"/g)].map((m) => m[1]),
    );
    expect([...routes].sort()).toEqual(['/v2/tasks/:id', 'unmatched']);
  });

  it('[ORCHD-API-9] /metrics exposes the task, queue, token, latency, health and breaker metrics', async () => {
    d = await startTestDaemon([mockPool('p')]);
    await (await post(`${d.url}/v2/tasks`, { prompt: 'a' })).json();
    await until(() => d!.daemon.orchestrator.liveJobs === 0);
    const text = await (await fetch(`${d.url}/metrics`)).text();
    for (const name of [
      'orchd_tasks_enqueued_total{pool_id="p",priority="interactive"} 1',
      'orchd_tasks_started_total{pool_id="p",replica_id="r0",engine="mock"} 1',
      'orchd_queue_depth{pool_id="p"} 0',
      'orchd_tokens_out_total{pool_id="p"} 4',
      'orchd_latency_first_token_ms_count{pool_id="p"} 1',
      'orchd_latency_decode_ms_count{pool_id="p"} 1',
      'orchd_replica_ready{pool_id="p",replica_id="r0"} 1',
      'orchd_breaker_state{pool_id="p",replica_id="r0"} 0',
      'orchd_tasks_rejected_total',
      'orchd_tasks_canceled_total',
    ]) {
      expect(text).toContain(name);
    }
  });
});
