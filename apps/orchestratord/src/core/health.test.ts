import { afterEach, describe, expect, it } from 'vitest';
import { type CoreHarness, ctx, startCore } from '../__fixtures__/core-harness.js';
import { mockPool, until } from '../__fixtures__/daemon-harness.js';

let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const report = (ready: boolean, live = ready) => ({
  state: ready ? ('healthy' as const) : ('unhealthy' as const),
  live,
  ready,
  latencyMs: 0,
  checkedAt: Date.now(),
});

describe('health', () => {
  it('[ORCHD-HEALTH-1] rise/fall thresholds: unready after N failed probes, ready again after M good ones', async () => {
    h = await startCore([
      mockPool('p', ['r0'], {
        health: { interval_ms: 60_000, timeout_ms: 100, unhealthy_after: 3, healthy_after: 2 },
      }),
    ]);
    const r = h.orch.pool('p')!.replicas.get('r0')!;
    expect(r.phase).toBe('ready');
    r.applyReport(report(false));
    r.applyReport(report(false));
    expect(r.phase).toBe('ready');
    r.applyReport(report(false));
    expect(r.phase).toBe('unready');
    r.applyReport(report(true));
    expect(r.phase).toBe('unready');
    r.applyReport(report(true));
    expect(r.phase).toBe('ready');
  });

  it('[ORCHD-HEALTH-1] the probe loop calls adapter.health() and reflects it in the pool view', async () => {
    h = await startCore([mockPool('p', ['r0'])]);
    h.mock('p').configure({ health: 'unhealthy' });
    await until(() => h!.orch.pools()[0]!.replicas[0]!.state === 'unready');
    expect(h.orch.pools()[0]!.replicas[0]!.health?.state).toBe('unhealthy');
    h.mock('p').configure({ health: 'healthy' });
    await until(() => h!.orch.pools()[0]!.replicas[0]!.state === 'ready');
  });

  it('[ORCHD-HEALTH-3] a pool with no ready replica answers POOL_UNREADY at once', async () => {
    h = await startCore([mockPool('p', ['r0'], { options: { health: 'unhealthy' } })]);
    expect(h.orch.pools()[0]!.replicas[0]!.state).toBe('unready');
    let err: unknown;
    try {
      h.orch.submit({ prompt: 'x' }, ctx());
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'OVERLOADED', upstreamType: 'POOL_UNREADY', status: 503 });
  });

  it('[ORCHD-HEALTH-3] queued jobs fail fast (or move pool) when their pool loses its last replica', async () => {
    h = await startCore([mockPool('p', ['r0'], { replicas: [{ id: 'r0', max_concurrent: 1 }] })]);
    h.mock('p').configure({ hang: { afterTokens: 1 } });
    const running = h.orch.submit({ prompt: 'a' }, ctx());
    const queued = h.orch.submit({ prompt: 'b' }, ctx());
    expect(queued.state).toBe('queued');
    const r = h.orch.pool('p')!.replicas.get('r0')!;
    r.applyReport(report(false));
    r.applyReport(report(false));
    const q = await queued.result;
    expect(q).toMatchObject({ type: 'error', code: 'OVERLOADED' });
    expect(running.state).toBe('running');
    running.cancel();
    await running.result;
  });

  it('[ORCHD-HEALTH-1] a replica that is alive but loading keeps jobs queued until it is ready', async () => {
    h = await startCore([
      mockPool('p', ['r0'], {
        options: { health: 'degraded' },
        health: { interval_ms: 20, timeout_ms: 100, unhealthy_after: 2, healthy_after: 1 },
      }),
    ]);
    const job = h.orch.submit({ prompt: 'x' }, ctx());
    expect(job.state).toBe('queued');
    h.mock('p').configure({ health: 'healthy' });
    expect((await job.result).type).toBe('end');
  });
});
