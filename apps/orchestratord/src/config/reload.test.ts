import { afterEach, describe, expect, it } from 'vitest';
import { mockPool, startTestDaemon, type TestDaemon, until } from '../__fixtures__/daemon-harness.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

describe('reload', () => {
  it('[ORCHD-CFG-5] adds and removes pools and replicas; a removed replica finishes its job, then closes', async () => {
    d = await startTestDaemon([mockPool('p1', ['r0', 'r1'])]);
    const r1 = d.mock('p1', 'r1');
    r1.configure({ tokenDelayMs: 20 });
    const job = d.daemon.orchestrator.submit(
      { prompt: 'x' },
      { correlationId: 't', placement: { pin: { replica: 'r1' } } },
    );
    await until(() => job.state === 'running');
    const report = await d.daemon.reload({ pools: [mockPool('p1', ['r0']), mockPool('p2', ['a', 'b'])] });
    expect(report).toMatchObject({ added: ['p2'], replicasRemoved: ['p1/r1'] });
    expect(d.daemon.orchestrator.pools().map((p) => [p.id, p.replicas.map((r) => r.id)])).toEqual([
      ['p1', ['r0']],
      ['p2', ['a', 'b']],
    ]);
    expect((await job.result).type).toBe('end');
    const removed = await d.daemon.reload({ pools: [mockPool('p2', ['a'])] });
    expect(removed.removed).toEqual(['p1']);
    expect(d.daemon.orchestrator.pools().map((p) => p.id)).toEqual(['p2']);
  });

  it('[ORCHD-CFG-5] an invalid new config is refused and the running one kept', async () => {
    d = await startTestDaemon([mockPool('p1')]);
    await expect(
      d.daemon.reload({ pools: [{ id: 'p1', adapter: 'nope', replicas: [{ id: 'r0' }] }] }),
    ).rejects.toThrow(/unknown adapter/);
    await expect(d.daemon.reload({ pools: [{ ...mockPool('p1'), extra: 1 } as never] })).rejects.toThrow(
      /extra/,
    );
    expect(d.daemon.orchestrator.pools().map((p) => p.id)).toEqual(['p1']);
    expect((await d.daemon.orchestrator.submit({ prompt: 'x' }, { correlationId: 't' }).result).type).toBe(
      'end',
    );
  });

  it('[ORCHD-CFG-5] changed settings apply in place without replacing the adapter', async () => {
    d = await startTestDaemon([mockPool('p1')]);
    const before = d.mock('p1');
    await d.daemon.reload({
      pools: [mockPool('p1', ['r0'], { queue: { capacity: 3, policy: 'drop-lru', batch_max_wait_ms: 500 } })],
    });
    expect(d.mock('p1')).toBe(before);
    expect(d.daemon.orchestrator.pools()[0]!.queue).toMatchObject({ capacity: 3, policy: 'drop-lru' });
    expect(d.daemon.orchestrator.pool('p1')!.queue.batchMaxWaitMs).toBe(500);
  });
});
