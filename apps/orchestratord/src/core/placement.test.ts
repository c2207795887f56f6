import { mockError } from '@orch/adapter-api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoreHarness, ctx, startCore } from '../__fixtures__/core-harness.js';
import { mockPool } from '../__fixtures__/daemon-harness.js';

let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('placement', () => {
  it('[ORCHD-PLACE-1] pin never silently falls back to another replica', async () => {
    h = await startCore([mockPool('p', ['r0', 'r1'])]);
    h.mock('p', 'r1').configure({ failBeforeStart: mockError('UPSTREAM_ERROR', 'r1 down', 502) });
    const r = await h.orch.submit({ prompt: 'x' }, { ...ctx(), placement: { pin: { replica: 'r1' } } })
      .result;
    expect(r).toMatchObject({ type: 'error', code: 'UPSTREAM_ERROR' });
    expect(h.mock('p', 'r0').tasks).toHaveLength(0);
    for (let i = 0; i < 3; i++) {
      await h.orch.submit({ prompt: 'y' }, { ...ctx(), placement: { pin: { pool: 'p', replica: 'r0' } } })
        .result;
    }
    expect(h.mock('p', 'r0').tasks).toHaveLength(3);
    expect(() =>
      h!.orch.submit({ prompt: 'x' }, { ...ctx(), placement: { pin: { replica: 'nope' } } }),
    ).toThrow(/no replica 'nope'/);
    expect(() => h!.orch.submit({ prompt: 'x' }, { ...ctx(), placement: { pin: { pool: 'zz' } } })).toThrow(
      /no pool 'zz'/,
    );
  });

  it('[ORCHD-Q-1][ORCHD-PLACE-1] a job pinned to a busy replica waits without blocking the jobs behind it', async () => {
    h = await startCore([
      mockPool('p', ['r0', 'r1'], {
        replicas: [
          { id: 'r0', max_concurrent: 1 },
          { id: 'r1', max_concurrent: 1 },
        ],
      }),
    ]);
    h.mock('p', 'r0').configure({ hang: { afterTokens: 0 } });
    const busy = h.orch.submit({ prompt: 'busy' }, { ...ctx(), placement: { pin: { replica: 'r0' } } });
    const pinned = h.orch.submit({ prompt: 'pinned' }, { ...ctx(), placement: { pin: { replica: 'r0' } } });
    const plain = h.orch.submit({ prompt: 'plain' }, ctx());
    expect((await plain.result).type).toBe('end');
    expect(pinned.state).toBe('queued');
    h.mock('p', 'r0').reset();
    busy.cancel();
    expect((await pinned.result).type).toBe('end');
    expect(h.mock('p', 'r0').tasks.map((t) => t.prompt)).toEqual(['busy', 'pinned']);
  });

  it('[ORCHD-PLACE-1] a pinned pool is not left for another pool on failure', async () => {
    h = await startCore([mockPool('a', ['r0'], { priority: 0 }), mockPool('b', ['r0'], { priority: 1 })]);
    h.mock('b').configure({ failBeforeStart: mockError('NETWORK', 'refused') });
    const r = await h.orch.submit({ prompt: 'x' }, { ...ctx(), placement: { pin: { pool: 'b' } } }).result;
    expect(r).toMatchObject({ type: 'error', code: 'NETWORK' });
    expect(h.mock('a').tasks).toHaveLength(0);
  });

  it('[ORCHD-PLACE-2] prefer uses the preferred replica when it can, and falls back when it cannot', async () => {
    h = await startCore([mockPool('p', ['r0', 'r1'])]);
    for (let i = 0; i < 3; i++) {
      await h.orch.submit({ prompt: 'x' }, { ...ctx(), placement: { prefer: { replica: 'r1' } } }).result;
    }
    expect(h.mock('p', 'r1').tasks).toHaveLength(3);
    h.mock('p', 'r1').configure({ hang: { afterTokens: 0 } });
    const pool = h.orch.pool('p')!;
    pool.replicas.get('r1')!.config = { ...pool.replicas.get('r1')!.config, max_concurrent: 1 };
    const hung = h.orch.submit({ prompt: 'hang' }, { ...ctx(), placement: { prefer: { replica: 'r1' } } });
    const r = await h.orch.submit({ prompt: 'x' }, { ...ctx(), placement: { prefer: { replica: 'r1' } } })
      .result;
    expect(r.type).toBe('end');
    expect(h.mock('p', 'r0').tasks.map((t) => t.prompt)).toEqual(['x']);
    hung.cancel();
    await hung.result;
  });

  it('[ORCHD-PLACE-3] a session sticks to its replica while that replica is usable', async () => {
    h = await startCore([mockPool('p', ['r0', 'r1', 'r2'])]);
    const first = h.orch.submit({ prompt: 'x', session_id: 's1' }, ctx());
    await first.result;
    const home = ['r0', 'r1', 'r2'].find((r) => h!.mock('p', r).tasks.length === 1)!;
    for (let i = 0; i < 5; i++) await h.orch.submit({ prompt: `x${i}`, session_id: 's1' }, ctx()).result;
    expect(h.mock('p', home).tasks).toHaveLength(6);
    // Unusable (unready) home: the session moves on rather than waiting forever.
    h.orch
      .pool('p')!
      .replicas.get(home)!
      .applyReport({ state: 'unhealthy', live: false, ready: false, latencyMs: 0, checkedAt: Date.now() });
    h.orch
      .pool('p')!
      .replicas.get(home)!
      .applyReport({ state: 'unhealthy', live: false, ready: false, latencyMs: 0, checkedAt: Date.now() });
    const r = await h.orch.submit({ prompt: 'z', session_id: 's1' }, ctx()).result;
    expect(r.type).toBe('end');
    expect(h.mock('p', home).tasks).toHaveLength(6);
  });
});
