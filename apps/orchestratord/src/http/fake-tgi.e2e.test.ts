import { type FakeTgi, startFakeTgi } from '@orch/fake-tgi';
import { afterEach, describe, expect, it } from 'vitest';
import { readSse, startTestDaemon, type TestDaemon, until } from '../__fixtures__/daemon-harness.js';

let d: TestDaemon | undefined;
const fakes: FakeTgi[] = [];
afterEach(async () => {
  await d?.close();
  d = undefined;
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(opts: Parameters<typeof startFakeTgi>[0] = {}): Promise<FakeTgi> {
  const f = await startFakeTgi(opts);
  fakes.push(f);
  return f;
}

function tgiPool(
  id: string,
  replicas: Array<{ id: string; url: string }>,
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    adapter: 'tgi-http',
    models: ['*'],
    replicas: replicas.map((r) => ({ ...r, max_concurrent: 8 })),
    health: { interval_ms: 50, timeout_ms: 500, unhealthy_after: 2, healthy_after: 1 },
    ...extra,
  };
}

async function submit(url: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}/v2/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { task_id: string }).task_id;
}

describe('end to end through TgiHttpAdapter against the fake TGI server', () => {
  it('[ORCHD-API-3] streams the fake server tokens one by one through /v2 SSE', async () => {
    const f = await fake({ tokens: { tokens: [' a', ' b', ' c'] } });
    d = await startTestDaemon([tgiPool('tgi', [{ id: 'r0', url: f.url }])]);
    const id = await submit(d.url, { prompt: 'hi', max_tokens: 3 });
    const events = await readSse(await fetch(`${d.url}/v2/tasks/${id}/events`));
    expect(events.filter((e) => e.event === 'token').map((e) => e.data.text)).toEqual([' a', ' b', ' c']);
    expect(events[0]).toMatchObject({ event: 'started', data: { engine: 'tgi', replica_id: 'r0' } });
    expect(events.at(-1)?.event).toBe('end');
  });

  it('[ORCHD-CANCEL-1] a client disconnect closes the upstream socket (the fake server sees the abort)', async () => {
    const f = await fake({ faults: { stallAfterTokens: 1 } });
    d = await startTestDaemon([tgiPool('tgi', [{ id: 'r0', url: f.url }])]);
    const id = await submit(d.url, { prompt: 'hi' });
    const ac = new AbortController();
    const res = await fetch(`${d.url}/v2/tasks/${id}/events`, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    await until(() => f.requests.some((r) => r.path.startsWith('/generate')));
    const upstream = f.requests.find((r) => r.path.startsWith('/generate'))!;
    ac.abort();
    await upstream.onAborted;
    expect(upstream.clientAborted).toBe(true);
    await until(() => d!.daemon.orchestrator.getJob(id)?.state === 'cancelled');
  });

  it('[ORCHD-API-4][ORCHD-CANCEL-1] POST /v2/tasks/{id}/cancel closes the upstream socket', async () => {
    const f = await fake({ faults: { stallAfterTokens: 2 } });
    d = await startTestDaemon([tgiPool('tgi', [{ id: 'r0', url: f.url }])]);
    const id = await submit(d.url, { prompt: 'hi' });
    await until(() => (d!.daemon.orchestrator.getJob(id)?.tokensEmitted ?? 0) === 2);
    const upstream = f.requests.find((r) => r.path.startsWith('/generate'))!;
    const res = await fetch(`${d.url}/v2/tasks/${id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(204);
    await upstream.onAborted;
    const events = await readSse(await fetch(`${d.url}/v2/tasks/${id}/events`));
    expect(events.map((e) => e.event)).toEqual(['started', 'token', 'token', 'error']);
    expect(events.at(-1)?.data).toMatchObject({ code: 'CANCELLED', tokens_emitted: 2 });
  });

  it('[ORCHD-DISP-4] TGI 429 overloaded is backpressure: the job moves to the other replica and succeeds', async () => {
    const busy = await fake({ faults: { overloaded429: true } });
    const ok = await fake();
    d = await startTestDaemon([
      tgiPool(
        'tgi',
        [
          { id: 'busy', url: busy.url },
          { id: 'ok', url: ok.url },
        ],
        { retry: { max_attempts: 1, backpressure_cooldown_ms: 60_000, max_requeues: 3 } },
      ),
    ]);
    const id = await submit(d.url, { prompt: 'hi', max_tokens: 4 });
    const events = await readSse(await fetch(`${d.url}/v2/tasks/${id}/events`));
    expect(events.at(-1)?.event).toBe('end');
    expect(busy.requests.length).toBeGreaterThanOrEqual(1);
    expect(ok.requests.filter((r) => r.path.startsWith('/generate')).length).toBe(1);
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(metrics).toContain('orchd_admission_backpressure_events_total{pool_id="tgi",replica_id="busy"} 1');
  });

  it('[ORCHD-FO-1][ORCHD-FO-2] a 5xx before the first token fails over; a cut after it ends with an error event', async () => {
    const bad = await fake({ faults: { status5xx: { status: 502 } } });
    const good = await fake({ tokens: { count: 4 } });
    d = await startTestDaemon([
      tgiPool('tgi', [
        { id: 'bad', url: bad.url },
        { id: 'good', url: good.url },
      ]),
    ]);
    const id = await submit(d.url, { prompt: 'hi', max_tokens: 4 });
    expect((await readSse(await fetch(`${d.url}/v2/tasks/${id}/events`))).at(-1)?.event).toBe('end');
    await good.setFaults({ cutAfterTokens: 2 });
    await bad.setFaults({ cutAfterTokens: 2, status5xx: undefined });
    const id2 = await submit(d.url, { prompt: 'hi', max_tokens: 8 });
    const events = await readSse(await fetch(`${d.url}/v2/tasks/${id2}/events`));
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { tokens_emitted: 2 } });
    expect(events.filter((e) => e.event === 'token')).toHaveLength(2);
  });

  it('[ORCHD-HEALTH-1] an unhealthy TGI (/health 503) becomes unready; requests then get POOL_UNREADY', async () => {
    const f = await fake();
    d = await startTestDaemon([tgiPool('tgi', [{ id: 'r0', url: f.url }])]);
    await f.setFaults({ unhealthy: true });
    await until(() => d!.daemon.orchestrator.pools()[0]!.replicas[0]!.state === 'unready');
    const res = await fetch(`${d.url}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":"x"}',
    });
    expect(res.status).toBe(503);
    await f.setFaults({ unhealthy: false });
    await until(() => d!.daemon.orchestrator.pools()[0]!.replicas[0]!.state === 'ready');
  });
});
