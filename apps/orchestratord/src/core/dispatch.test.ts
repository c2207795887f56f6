import { afterEach, describe, expect, it } from 'vitest';
import { type CoreHarness, collect, ctx, startCore } from '../__fixtures__/core-harness.js';
import { mockPool } from '../__fixtures__/daemon-harness.js';

let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('dispatch', () => {
  it('[ORCHD-DISP-2] ties are broken round-robin: sequential jobs rotate over equal replicas', async () => {
    h = await startCore([mockPool('p', ['r0', 'r1', 'r2'])]);
    for (let i = 0; i < 12; i++) await h.orch.submit({ prompt: `n${i}` }, ctx()).result;
    expect(['r0', 'r1', 'r2'].map((r) => h!.mock('p', r).tasks.length)).toEqual([4, 4, 4]);
  });

  it('[ORCHD-DISP-2] least outstanding per weight: a weight-2 replica carries twice the load', async () => {
    const pool = mockPool('p', ['r0', 'r1']);
    pool.replicas = [
      { id: 'r0', max_concurrent: 100, weight: 2 },
      { id: 'r1', max_concurrent: 100, weight: 1 },
    ];
    h = await startCore([pool]);
    h.mock('p', 'r0').configure({ hang: { afterTokens: 0 } });
    h.mock('p', 'r1').configure({ hang: { afterTokens: 0 } });
    const jobs = Array.from({ length: 9 }, (_, i) => h!.orch.submit({ prompt: `x${i}` }, ctx()));
    const view = h.orch.pools()[0]!;
    expect(view.replicas.map((r) => r.inFlight)).toEqual([6, 3]);
    for (const j of jobs) j.cancel();
    await Promise.all(jobs.map((j) => j.result));
  });

  it('[ORCHD-DISP-1][ORCHD-DISP-3] only free slots are used, nothing starves, counters return to zero', async () => {
    const pool = mockPool('p', ['r0', 'r1']);
    pool.replicas = [
      { id: 'r0', max_concurrent: 2 },
      { id: 'r1', max_concurrent: 2 },
    ];
    pool.queue = { capacity: 100, policy: 'reject' };
    h = await startCore([pool]);
    h.mock('p', 'r0').configure({ tokenDelayMs: 2 });
    h.mock('p', 'r1').configure({
      tokenDelayMs: 2,
      failAfterTokens: {
        after: 1,
        error: new (await import('@orch/adapter-api')).OrchError('UPSTREAM_ERROR', 'x'),
      },
    });
    let maxSeen = 0;
    const timer = setInterval(() => {
      for (const r of h!.orch.pools()[0]!.replicas) {
        expect(r.inFlight).toBeGreaterThanOrEqual(0);
        expect(r.inFlight).toBeLessThanOrEqual(2);
        maxSeen = Math.max(maxSeen, r.inFlight);
      }
    }, 1);
    const jobs = Array.from({ length: 30 }, (_, i) =>
      h!.orch.submit({ prompt: `x${i}`, priority: i % 2 ? 'batch' : 'interactive' }, ctx()),
    );
    const cancelled = jobs.filter((_, i) => i % 7 === 3);
    for (const j of cancelled) j.cancel();
    const results = await Promise.all(jobs.map((j) => j.result));
    clearInterval(timer);
    // Every job reached a terminal state: nothing starved in the queue.
    expect(results.every((r) => r.type === 'end' || r.type === 'error')).toBe(true);
    expect(maxSeen).toBeGreaterThan(0);
    for (const r of h.orch.pools()[0]!.replicas) expect(r.inFlight).toBe(0);
    expect(h.orch.pools()[0]!.queue.depth).toBe(0);
  });

  it('[ORCHD-ROUTE-1] a task model picks the pools that serve it, lower priority value first', async () => {
    h = await startCore([
      mockPool('fallback', ['r0'], { models: ['m1', 'm2'], priority: 10 }),
      mockPool('main', ['r0'], { models: ['m1'], priority: 0 }),
    ]);
    expect(h.orch.findCompatibleBackend('m1').map((p) => p.id)).toEqual(['main', 'fallback']);
    expect(h.orch.findCompatibleBackend('m2').map((p) => p.id)).toEqual(['fallback']);
    const r = await h.orch.submit({ prompt: 'x', model: 'm1' }, ctx()).result;
    expect(r.type).toBe('end');
    expect(h.mock('main').tasks.length).toBe(1);
    expect(() => h!.orch.submit({ prompt: 'x', model: 'nope' }, ctx())).toThrow(
      /no pool serves model 'nope'/,
    );
    const events = await collect(h.orch.submit({ prompt: 'x', model: 'm2' }, ctx()));
    expect(events[0]).toMatchObject({ type: 'started', replica_id: 'r0' });
    expect(h.mock('fallback').tasks.length).toBe(1);
  });
});
