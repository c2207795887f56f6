import { afterEach, describe, expect, it } from 'vitest';
import {
  mockPool,
  readSse,
  startTestDaemon,
  type TestDaemon,
  until,
} from '../__fixtures__/daemon-harness.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('native API over HTTP', () => {
  it('[ORCHD-API-1] POST /v2/tasks → 202, then events stream started/token/metrics/end', async () => {
    d = await startTestDaemon([mockPool('p1')]);
    const res = await post(`${d.url}/v2/tasks`, { prompt: 'hi' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.task_id).toEqual(expect.any(String));
    expect(body.queue_position).toBe(0);
    expect(body.predicted_start_ms).toEqual(expect.any(Number));
    expect(body.streams).toEqual({ sse: `/v2/tasks/${body.task_id}/events` });
    const ev = await fetch(`${d.url}${(body.streams as { sse: string }).sse}`);
    expect(ev.headers.get('content-type')).toBe('text/event-stream');
    const events = await readSse(ev);
    expect(events.map((e) => e.event)).toEqual([
      'started',
      'token',
      'token',
      'token',
      'token',
      'metrics',
      'end',
    ]);
    expect(events.at(-1)?.data.text).toBe('Hello, world!');
    const view = (await (await fetch(`${d.url}/v2/tasks/${body.task_id}`)).json()) as Record<string, unknown>;
    expect(view.state).toBe('succeeded');
    expect((view.result as Record<string, unknown>).text).toBe('Hello, world!');
    expect(view.pool_id).toBe('p1');
  });
});

describe('native API: admission, tasks, pools', () => {
  it('[ORCHD-Q-2] a full queue answers 429 with Retry-After, X-Backoff-Ms and the flat body', async () => {
    d = await startTestDaemon([
      mockPool('p1', ['r0'], {
        replicas: [{ id: 'r0', max_concurrent: 1 }],
        queue: { capacity: 1, policy: 'reject' },
      }),
    ]);
    d.mock('p1').configure({ hang: { afterTokens: 0 } });
    expect((await post(`${d.url}/v2/tasks`, { prompt: 'a' })).status).toBe(202);
    const queued = await post(`${d.url}/v2/tasks`, { prompt: 'b' });
    expect(((await queued.json()) as Record<string, unknown>).queue_position).toBe(0);
    const res = await post(`${d.url}/v2/tasks`, { prompt: 'c' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('x-backoff-ms'))).toBeGreaterThan(0);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'ADMISSION_REJECT', retriable: true, policy_label: 'p1:reject' });
    expect(body.retry_after_ms).toEqual(expect.any(Number));
    expect(body.message).toMatch(/queue of pool 'p1' is full/);
  });

  it('[ORCHD-Q-3] drop-lru: the evicted batch task ends with QUEUE_FULL_DROP_LRU', async () => {
    d = await startTestDaemon([
      mockPool('p1', ['r0'], {
        replicas: [{ id: 'r0', max_concurrent: 1 }],
        queue: { capacity: 1, policy: 'drop-lru' },
      }),
    ]);
    d.mock('p1').configure({ hang: { afterTokens: 0 } });
    await post(`${d.url}/v2/tasks`, { prompt: 'a' });
    const batch = (await (await post(`${d.url}/v2/tasks`, { prompt: 'b', priority: 'batch' })).json()) as {
      task_id: string;
    };
    expect((await post(`${d.url}/v2/tasks`, { prompt: 'c' })).status).toBe(202);
    const view = (await (await fetch(`${d.url}/v2/tasks/${batch.task_id}`)).json()) as Record<
      string,
      unknown
    >;
    expect(view.state).toBe('failed');
    expect(view.error).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
  });

  it('[ORCHD-HEALTH-3] POOL_UNREADY over HTTP is a fast 503', async () => {
    d = await startTestDaemon([mockPool('p1', ['r0'], { options: { health: 'unhealthy' } })]);
    const res = await post(`${d.url}/v2/tasks`, { prompt: 'a' });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'POOL_UNREADY', error: { code: 'POOL_UNREADY' } });
    const ready = await fetch(`${d.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
  });

  it('[ORCHD-API-4][ORCHD-JOB-3] POST /v2/tasks/{id}/cancel → 204; the stream ends with CANCELLED and no later token', async () => {
    d = await startTestDaemon([mockPool('p1')]);
    const m = d.mock('p1');
    m.configure({ tokens: Array.from({ length: 500 }, (_, i) => `w${i}`), tokenDelayMs: 2 });
    const { task_id } = (await (await post(`${d.url}/v2/tasks`, { prompt: 'a' })).json()) as {
      task_id: string;
    };
    const events = fetch(`${d.url}/v2/tasks/${task_id}/events`).then(readSse);
    await until(() => (d!.daemon.orchestrator.getJob(task_id)?.snapshot().length ?? 0) > 3);
    const res = await post(`${d.url}/v2/tasks/${task_id}/cancel`, {});
    expect(res.status).toBe(204);
    const list = await events;
    expect(list.at(-1)).toMatchObject({ event: 'error', data: { code: 'CANCELLED' } });
    expect(list.filter((e) => e.event === 'token').length).toBe(list.at(-1)!.data.tokens_emitted);
    await until(() => m.abortsObserved === 1);
    expect((await post(`${d.url}/v2/tasks/nope/cancel`, {})).status).toBe(404);
  });

  it('[ORCHD-CANCEL-1] a client leaving the SSE stream cancels the job and aborts the upstream', async () => {
    d = await startTestDaemon([mockPool('p1')]);
    const m = d.mock('p1');
    m.configure({ hang: { afterTokens: 1 } });
    const { task_id } = (await (await post(`${d.url}/v2/tasks`, { prompt: 'a' })).json()) as {
      task_id: string;
    };
    const ac = new AbortController();
    const res = await fetch(`${d.url}/v2/tasks/${task_id}/events`, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    const aborted = m.nextAbort();
    ac.abort();
    await aborted;
    await until(() => d!.daemon.orchestrator.getJob(task_id)?.state === 'cancelled');
  });

  it('[ORCHD-API-5] POST /v2/batches admits each task and reports per-task errors; stream mode relays all events', async () => {
    d = await startTestDaemon([mockPool('p1')]);
    const res = await post(`${d.url}/v2/batches`, {
      tasks: [{ prompt: 'a' }, { prompt: 'b', temperature: -1 }, { prompt: 'c', priority: 'batch' }],
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { batch_id: string; tasks: Array<Record<string, unknown>> };
    expect(body.tasks[0]).toMatchObject({ index: 0, task_id: expect.any(String) });
    expect(body.tasks[1]).toMatchObject({
      index: 1,
      error: { code: 'INVALID_REQUEST', field: 'tasks.1.temperature' },
    });
    const streamed = await post(`${d.url}/v2/batches`, {
      tasks: [{ prompt: 'a' }, { prompt: 'b' }],
      stream: true,
    });
    const events = await readSse(streamed);
    expect(events[0]!.event).toBe('batch');
    expect(events.filter((e) => e.event === 'end')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ event: 'batch_end', data: { succeeded: 2, failed: 0 } });
  });

  it('[ORCHD-API-6][ORCHD-API-7] pools, pool health, models and capabilities', async () => {
    d = await startTestDaemon([mockPool('p1', ['r0', 'r1'], { models: ['m1'] })]);
    const pools = (await (await fetch(`${d.url}/v2/pools`)).json()) as {
      pools: Array<Record<string, unknown>>;
    };
    expect(pools.pools[0]).toMatchObject({
      id: 'p1',
      adapter: 'mock',
      replicas: [
        { id: 'r0', state: 'ready' },
        { id: 'r1', state: 'ready' },
      ],
    });
    const health = (await (await fetch(`${d.url}/v2/pools/p1/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ pool_id: 'p1', ready: true, ready_replicas: 2 });
    expect((await fetch(`${d.url}/v2/pools/zz/health`)).status).toBe(404);
    const models = (await (await fetch(`${d.url}/v2/models`)).json()) as {
      models: Array<Record<string, unknown>>;
    };
    expect(models.models.map((m) => m.id).sort()).toEqual(['m1', 'mock-model']);
    const caps = (await (await fetch(`${d.url}/v2/meta/capabilities`)).json()) as Record<string, unknown>;
    expect(caps).toMatchObject({ api_version: 'v2', adapters: expect.arrayContaining(['tgi-http', 'mock']) });
    const drain = await post(`${d.url}/v2/pools/p1/drain`, {});
    expect(drain.status).toBe(202);
    const after = await post(`${d.url}/v2/tasks`, { prompt: 'x', model: 'm1' });
    expect(after.status).toBe(503);
  });

  it('[ORCHD-API-6] POST /v2/pools/{id}/undrain puts a drained pool back into service without a reload', async () => {
    d = await startTestDaemon([mockPool('p1')]);
    expect((await post(`${d.url}/v2/pools/p1/drain`, {})).status).toBe(202);
    expect((await post(`${d.url}/v2/tasks`, { prompt: 'x' })).status).toBe(503);
    expect((await fetch(`${d.url}/readyz`)).status).toBe(503);

    const undrain = await post(`${d.url}/v2/pools/p1/undrain`, {});
    expect(undrain.status).toBe(204);
    expect(await undrain.text()).toBe('');
    expect(await (await fetch(`${d.url}/v2/pools/p1/health`)).json()).toMatchObject({
      draining: false,
      ready: true,
    });
    expect((await fetch(`${d.url}/readyz`)).status).toBe(200);
    const res = await post(`${d.url}/v2/tasks`, { prompt: 'x' });
    expect(res.status).toBe(202);
    const { task_id } = (await res.json()) as { task_id: string };
    const events = await readSse(await fetch(`${d.url}/v2/tasks/${task_id}/events`));
    expect(events.at(-1)).toMatchObject({ event: 'end' });
    // Idempotent on a pool in service; an unknown pool is 404.
    expect((await post(`${d.url}/v2/pools/p1/undrain`, {})).status).toBe(204);
    const unknown = await post(`${d.url}/v2/pools/zz/undrain`, {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
