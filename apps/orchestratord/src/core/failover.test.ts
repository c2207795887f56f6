import { OrchError } from '@orch/adapter-api';
import { mockError } from '@orch/adapter-api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoreHarness, collect, ctx, startCore } from '../__fixtures__/core-harness.js';
import { mockPool, until } from '../__fixtures__/daemon-harness.js';

let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('failover and backpressure', () => {
  it('[ORCHD-FO-1] an error before the first token is retried on another replica', async () => {
    h = await startCore([mockPool('p', ['r0', 'r1'])]);
    h.mock('p', 'r0').configure({ failBeforeStart: mockError('UPSTREAM_ERROR', 'boom', 502) });
    h.mock('p', 'r1').configure({ failBeforeStart: mockError('UPSTREAM_ERROR', 'boom', 502) });
    h.mock('p', 'r1').reset();
    const job = h.orch.submit({ prompt: 'x' }, ctx());
    const events = await collect(job);
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'end', text: 'Hello, world!' });
    expect(job.state).toBe('succeeded');
    // The first attempt went to r0 (round-robin starts there), the retry to r1.
    expect(h.mock('p', 'r0').tasks).toHaveLength(1);
    expect(h.mock('p', 'r1').tasks).toHaveLength(1);
  });

  it('[ORCHD-FO-1] failover crosses to the next pool by priority, within max_attempts', async () => {
    h = await startCore([
      mockPool('a', ['r0'], {
        priority: 0,
        retry: { max_attempts: 2, backpressure_cooldown_ms: 10, max_requeues: 5 },
      }),
      mockPool('b', ['r0'], { priority: 1 }),
    ]);
    h.mock('a').configure({ failBeforeStart: mockError('NETWORK', 'refused') });
    const r = await h.orch.submit({ prompt: 'x' }, ctx()).result;
    expect(r.type).toBe('end');
    expect(h.mock('a').tasks).toHaveLength(1);
    expect(h.mock('b').tasks).toHaveLength(1);
  });

  it('[ORCHD-FO-1] gives up after max_attempts with the last error', async () => {
    h = await startCore([
      mockPool('p', ['r0', 'r1', 'r2'], {
        retry: { max_attempts: 2, backpressure_cooldown_ms: 10, max_requeues: 5 },
      }),
    ]);
    for (const r of ['r0', 'r1', 'r2'])
      h.mock('p', r).configure({ failBeforeStart: mockError('UPSTREAM_ERROR', 'down', 503) });
    const r = await h.orch.submit({ prompt: 'x' }, ctx()).result;
    expect(r).toMatchObject({ type: 'error', code: 'UPSTREAM_ERROR', tokens_emitted: 0 });
    const tried = ['r0', 'r1', 'r2'].map((id) => h!.mock('p', id).tasks.length).reduce((a, b) => a + b, 0);
    expect(tried).toBe(2);
  });

  it('[ORCHD-FO-1] regression: started names the replica that served the tokens, not the one that failed first', async () => {
    h = await startCore([mockPool('p', ['r0', 'r1'])]);
    // r0 accepts the job (its stream sends `started`), then fails before any token.
    h.mock('p', 'r0').configure({
      failAfterTokens: { after: 0, error: mockError('UPSTREAM_ERROR', 'boom', 502) },
    });
    const job = h.orch.submit({ prompt: 'x' }, ctx());
    const events = await collect(job);
    expect(h.mock('p', 'r0').tasks).toHaveLength(1);
    expect(h.mock('p', 'r1').tasks).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['started', 'token', 'token', 'token', 'token', 'end']);
    expect(events[0]).toMatchObject({ type: 'started', engine: 'mock', replica_id: 'r1', pool_id: 'p' });
    // The retained log (replays, GET /v2/tasks) says the same.
    expect(h.orch.getJob(job.taskId)!.snapshot()[0]).toMatchObject({ replica_id: 'r1', pool_id: 'p' });
  });

  it('[ORCHD-FO-1] regression: after failover to the next pool, started names that pool and its replica', async () => {
    // Same replica id in both pools: only pool_id tells them apart.
    h = await startCore([
      mockPool('a', ['r0'], {
        priority: 0,
        retry: { max_attempts: 2, backpressure_cooldown_ms: 10, max_requeues: 5 },
      }),
      mockPool('b', ['r0'], { priority: 1 }),
    ]);
    h.mock('a').configure({ failAfterTokens: { after: 0, error: mockError('NETWORK', 'reset') } });
    const events = await collect(h.orch.submit({ prompt: 'x' }, ctx()));
    expect(events.filter((e) => e.type === 'started')).toEqual([
      expect.objectContaining({ replica_id: 'r0', pool_id: 'b' }),
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'end' });
  });

  it('[ORCHD-FO-1] when every attempt fails before a token, the one started names the attempt whose error ends the job', async () => {
    h = await startCore([
      mockPool('p', ['r0', 'r1'], {
        retry: { max_attempts: 2, backpressure_cooldown_ms: 10, max_requeues: 5 },
      }),
    ]);
    for (const r of ['r0', 'r1'])
      h.mock('p', r).configure({
        failAfterTokens: { after: 0, error: mockError('UPSTREAM_ERROR', `down ${r}`, 503) },
      });
    const events = await collect(h.orch.submit({ prompt: 'x' }, ctx()));
    expect(events.map((e) => e.type)).toEqual(['started', 'error']);
    expect(events[0]).toMatchObject({ replica_id: 'r1', pool_id: 'p' });
    expect(events[1]).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'down r1', tokens_emitted: 0 });
  });

  it('[ORCHD-FO-2] after the first token there is no failover: the job ends with an error event', async () => {
    h = await startCore([mockPool('p', ['r0', 'r1'])]);
    for (const r of ['r0', 'r1']) {
      h.mock('p', r).configure({ failAfterTokens: { after: 2, error: mockError('UPSTREAM_ERROR', 'cut') } });
    }
    const events = await collect(h.orch.submit({ prompt: 'x' }, ctx()));
    expect(events.map((e) => e.type)).toEqual(['started', 'token', 'token', 'error']);
    expect(events.at(-1)).toMatchObject({ code: 'UPSTREAM_ERROR', tokens_emitted: 2, retriable: false });
    expect(h.mock('p', 'r0').tasks.length + h.mock('p', 'r1').tasks.length).toBe(1);
    const served = h.mock('p', 'r0').tasks.length === 1 ? 'r0' : 'r1';
    expect(events[0]).toMatchObject({ replica_id: served, pool_id: 'p' });
  });

  it('[ORCHD-DISP-4] an upstream overloaded answer requeues the job and cools the replica down (not a failure)', async () => {
    h = await startCore([
      mockPool('p', ['r0'], { retry: { max_attempts: 1, backpressure_cooldown_ms: 40, max_requeues: 5 } }),
    ]);
    const m = h.mock('p');
    m.configure({ failBeforeStart: new OrchError('OVERLOADED', 'Model is overloaded', { status: 429 }) });
    const job = h.orch.submit({ prompt: 'x' }, ctx());
    await until(() => m.tasks.length === 1);
    // While cooling down the job waits in the queue rather than failing.
    m.reset();
    expect(job.state).toBe('queued');
    expect(h.orch.pools()[0]!.queue.depth).toBe(1);
    const r = await job.result;
    expect(r.type).toBe('end');
    expect(m.tasks).toHaveLength(2);
    expect(h.orch.pools()[0]!.replicas[0]!.breaker).toBe('closed');
  });

  it('[ORCHD-DISP-4] backpressure on one replica sends the job to another at once', async () => {
    h = await startCore([
      mockPool('p', ['r0', 'r1'], {
        retry: { max_attempts: 1, backpressure_cooldown_ms: 60_000, max_requeues: 5 },
      }),
    ]);
    h.mock('p', 'r0').configure({ failBeforeStart: new OrchError('OVERLOADED', 'busy', { status: 429 }) });
    h.mock('p', 'r1').configure({ failBeforeStart: new OrchError('OVERLOADED', 'busy', { status: 429 }) });
    h.mock('p', 'r1').reset();
    const results = await Promise.all(
      [1, 2, 3].map((i) => h!.orch.submit({ prompt: `x${i}` }, ctx()).result),
    );
    expect(results.every((r) => r.type === 'end')).toBe(true);
    const tried = h.mock('p', 'r0').tasks.length;
    expect(tried).toBeGreaterThanOrEqual(1);
    // r0 is cooling down: later jobs all go to r1.
    for (let i = 0; i < 3; i++)
      expect((await h.orch.submit({ prompt: `y${i}` }, ctx()).result).type).toBe('end');
    expect(h.mock('p', 'r0').tasks.length).toBe(tried);
  });

  it('[ORCHD-HEALTH-2] after the cooldown one probe job passes (half-open) and a success closes the breaker', async () => {
    h = await startCore([
      mockPool('p', ['r0'], {
        breaker: { failure_threshold: 1, cooldown_ms: 30 },
        retry: { max_attempts: 1, backpressure_cooldown_ms: 10, max_requeues: 1 },
      }),
    ]);
    const m = h.mock('p');
    m.configure({ failBeforeStart: mockError('UPSTREAM_ERROR', 'bad', 500) });
    expect((await h.orch.submit({ prompt: 'x' }, ctx()).result).type).toBe('error');
    expect(h.orch.pools()[0]!.replicas[0]!.breaker).toBe('open');
    m.reset();
    // Open breaker: the pool has no usable replica, so admission answers POOL_UNREADY at once.
    expect(() => h!.orch.submit({ prompt: 'y' }, ctx())).toThrow(/no ready replica/);
    await until(() => h!.orch.pools()[0]!.replicas[0]!.breaker === 'half-open');
    expect((await h.orch.submit({ prompt: 'z' }, ctx()).result).type).toBe('end');
    expect(h.orch.pools()[0]!.replicas[0]!.breaker).toBe('closed');
  });

  it('[ORCHD-HEALTH-2] repeated failures open the breaker; the replica is skipped while open', async () => {
    h = await startCore([
      mockPool('p', ['r0', 'r1'], {
        breaker: { failure_threshold: 2, cooldown_ms: 60_000 },
        retry: { max_attempts: 1, backpressure_cooldown_ms: 10, max_requeues: 1 },
      }),
    ]);
    h.mock('p', 'r0').configure({ failBeforeStart: mockError('UPSTREAM_ERROR', 'bad', 500) });
    for (let i = 0; i < 6; i++) await h.orch.submit({ prompt: `x${i}` }, ctx()).result;
    const view = h.orch.pools()[0]!;
    expect(view.replicas.find((r) => r.id === 'r0')?.breaker).toBe('open');
    const before = h.mock('p', 'r0').tasks.length;
    for (let i = 0; i < 4; i++)
      expect((await h.orch.submit({ prompt: `y${i}` }, ctx()).result).type).toBe('end');
    expect(h.mock('p', 'r0').tasks.length).toBe(before);
  });
});
