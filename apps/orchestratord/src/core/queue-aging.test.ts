import { afterEach, describe, expect, it } from 'vitest';
import { type CoreHarness, collect, ctx, startCore } from '../__fixtures__/core-harness.js';
import { mockPool, until } from '../__fixtures__/daemon-harness.js';

let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('batch aging through the orchestrator', () => {
  it('[ORCHD-Q-1][ORCHD-Q-4] an aged batch job runs before newer interactive work, where its queue_position said', async () => {
    const clock = { t: 0 };
    const pool = mockPool('p', ['r0'], {
      queue: { capacity: 16, policy: 'reject', batch_max_wait_ms: 30_000 },
    });
    pool.replicas = [{ id: 'r0', max_concurrent: 1 }];
    h = await startCore([pool], undefined, { clock: () => clock.t });
    const m = h.mock('p');
    // The only slot is held until the queue below is built.
    m.configure({ hang: { afterTokens: 0 } });
    const holder = h.orch.submit({ prompt: 'holder' }, ctx());
    await until(() => m.tasks.length === 1);
    m.reset();

    const batch = h.orch.submit({ prompt: 'batch', priority: 'batch' }, ctx());
    clock.t = 1_000;
    const early = h.orch.submit({ prompt: 'early' }, ctx());
    clock.t = 31_000;
    const late = h.orch.submit({ prompt: 'late' }, ctx());
    // `early` arrived within 30 s of the batch job and overtakes it (as the batch job's position
    // allowed: interactive work may pass it for 30 s); `late` did not, and was told so.
    expect([batch, early, late].map((j) => j.queuePosition)).toEqual([0, 0, 2]);
    expect(h.orch.pools()[0]!.queue.depth).toBe(3);

    holder.cancel();
    const streams = await Promise.all([batch, early, late].map((j) => collect(j)));
    expect(m.tasks.map((t) => t.prompt)).toEqual(['holder', 'early', 'batch', 'late']);
    // Each job's `started` carries the position it was given at admission.
    expect(streams.map((s) => s[0])).toEqual([
      expect.objectContaining({ type: 'started', queue_position: 0 }),
      expect.objectContaining({ type: 'started', queue_position: 0 }),
      expect.objectContaining({ type: 'started', queue_position: 2 }),
    ]);
    expect(streams.every((s) => s.at(-1)?.type === 'end')).toBe(true);
  });
});
