import { describe, expect, it } from 'vitest';
import { JobQueue } from './job-queue.js';

const job = (name: string, priority: 'interactive' | 'batch' = 'interactive') => ({
  name,
  task: { priority },
});

type Item = ReturnType<typeof job>;

/** A queue on a clock the test moves by hand. */
function clocked(batchMaxWaitMs = 30_000, capacity = 1000, policy: 'reject' | 'drop-lru' = 'reject') {
  const clock = { t: 0 };
  const q = new JobQueue<Item>(capacity, policy, { batchMaxWaitMs, now: () => clock.t });
  return { q, clock };
}

function takeAll(q: JobQueue<Item>): string[] {
  const order: string[] = [];
  for (let next = q.takeFirst(() => true); next; next = q.takeFirst(() => true)) order.push(next.item.name);
  return order;
}

describe('JobQueue', () => {
  it('[ORCHD-Q-1] serves every interactive job before any batch job, FIFO within a class', () => {
    const q = new JobQueue<ReturnType<typeof job>>(10, 'reject');
    for (const j of [job('b1', 'batch'), job('i1'), job('b2', 'batch'), job('i2')]) q.admit(j);
    const order: string[] = [];
    for (;;) {
      const next = q.takeFirst(() => true);
      if (!next) break;
      order.push(next.item.name);
    }
    expect(order).toEqual(['i1', 'i2', 'b1', 'b2']);
  });

  it('[ORCHD-Q-2] reject policy refuses the newcomer when full', () => {
    const q = new JobQueue<ReturnType<typeof job>>(2, 'reject');
    expect(q.admit(job('a', 'batch')).ok).toBe(true);
    expect(q.admit(job('b', 'batch')).ok).toBe(true);
    expect(q.admit(job('c')).ok).toBe(false);
    expect(q.depth).toBe(2);
  });

  it('[ORCHD-Q-3] drop-lru evicts the oldest batch job, and refuses when only interactive jobs remain', () => {
    const q = new JobQueue<ReturnType<typeof job>>(3, 'drop-lru');
    const b1 = job('b1', 'batch');
    q.admit(b1);
    q.admit(job('i1'));
    q.admit(job('b2', 'batch'));
    const r = q.admit(job('i2'));
    expect(r).toEqual({ ok: true, evicted: b1 });
    expect(q.items().map((j) => j.name)).toEqual(['i1', 'i2', 'b2']);
    expect(q.admit(job('b3', 'batch')).ok).toBe(true);
    expect(q.items().map((j) => j.name)).toEqual(['i1', 'i2', 'b3']);
    const q2 = new JobQueue<ReturnType<typeof job>>(1, 'drop-lru');
    q2.admit(job('i'));
    expect(q2.admit(job('i2')).ok).toBe(false);
  });

  it('[ORCHD-Q-1] positions count the jobs served first; requeueFront puts a job back at the head of its class', () => {
    const q = new JobQueue<ReturnType<typeof job>>(10, 'reject');
    const b = job('b', 'batch');
    const i1 = job('i1');
    const i2 = job('i2');
    q.admit(b);
    q.admit(i1);
    expect(q.position(b)).toBe(1);
    expect(q.position(i1)).toBe(0);
    q.requeueFront(i2);
    expect(q.position(i2)).toBe(0);
    expect(q.positionFor('batch')).toBe(3);
    // A job that cannot run yet does not block the ones behind it.
    const next = q.takeFirst((j) => (j.name === 'i2' ? undefined : j.name));
    expect(next?.item.name).toBe('i1');
  });

  it('[ORCHD-Q-1] regression: a continuous flood of interactive jobs no longer starves a batch job', () => {
    const { q, clock } = clocked(30_000);
    q.admit(job('batch', 'batch'));
    // One interactive job arrives and one job is dispatched every second, for ten minutes.
    const served: Array<{ name: string; at: number }> = [];
    for (let tick = 1; tick <= 600; tick++) {
      clock.t = tick * 1000;
      q.admit(job(`i${tick}`));
      const next = q.takeFirst(() => true)!;
      served.push({ name: next.item.name, at: clock.t });
    }
    // Interactive first while the batch job is young; served once it has waited 30 s, no later.
    const b = served.findIndex((s) => s.name === 'batch');
    expect(b).toBe(30);
    expect(served[b]!.at).toBe(31_000);
    expect(served.slice(0, b).every((s) => s.name.startsWith('i'))).toBe(true);
    // FIFO within the interactive class, before and after.
    const inter = served.filter((s) => s.name !== 'batch').map((s) => Number(s.name.slice(1)));
    expect(inter).toEqual([...inter].sort((x, y) => x - y));
  });

  it('[ORCHD-Q-1] interactive jobs overtake a batch job only if they arrived less than batch_max_wait_ms after it', () => {
    const { q, clock } = clocked(30_000);
    q.admit(job('b1', 'batch'));
    clock.t = 1_000;
    q.admit(job('i1'));
    clock.t = 29_999;
    q.admit(job('b2', 'batch'));
    q.admit(job('i2'));
    clock.t = 30_001;
    q.admit(job('i3'));
    // b1 (arrived at 0) goes before i3 (30001) but after i1 and i2; b2 stays behind all three.
    expect(q.items().map((j) => j.name)).toEqual(['i1', 'i2', 'b1', 'i3', 'b2']);
    expect(takeAll(q)).toEqual(['i1', 'i2', 'b1', 'i3', 'b2']);
  });

  it('[ORCHD-Q-4] queue positions are exactly the order the queue serves, aging included', () => {
    const { q, clock } = clocked(10_000);
    const arrivals: Array<[number, string, 'interactive' | 'batch']> = [
      [0, 'b1', 'batch'],
      [2_000, 'i1', 'interactive'],
      [4_000, 'b2', 'batch'],
      [9_000, 'i2', 'interactive'],
      [11_000, 'i3', 'interactive'],
      [12_000, 'b3', 'batch'],
      [15_000, 'i4', 'interactive'],
      [30_000, 'i5', 'interactive'],
    ];
    const told = new Map<string, number>();
    for (const [t, name, priority] of arrivals) {
      clock.t = t;
      const predicted = q.positionFor(priority);
      const item = job(name, priority);
      q.admit(item);
      // What a newcomer is told before admission is where it lands.
      expect(q.position(item)).toBe(predicted);
      told.set(name, predicted);
    }
    const order = q.items().map((j) => j.name);
    expect(order).toEqual(['i1', 'i2', 'b1', 'i3', 'b2', 'i4', 'b3', 'i5']);
    for (const [i, item] of q.items().entries()) expect(q.position(item)).toBe(i);
    // Served in exactly that order.
    expect(takeAll(q)).toEqual(order);
    // i3 (11 s) was told 3: i1 and i2, and b1, due at 10 s; b2 (due at 14 s) stays behind it.
    expect(told.get('b1')).toBe(0);
    expect(told.get('i3')).toBe(3);
    expect(told.get('i5')).toBe(7);
  });

  it('[ORCHD-Q-1] a requeued batch job keeps its age; a job that cannot run yet still does not block', () => {
    const { q, clock } = clocked(30_000);
    const b = job('b', 'batch');
    q.admit(b);
    clock.t = 40_000;
    q.admit(job('i1'));
    expect(q.takeFirst(() => true)?.item).toBe(b);
    // Failover puts it back: it is still older than 30 s, so it is still ahead of i1.
    q.requeueFront(b);
    expect(q.position(b)).toBe(0);
    // Pinned to a busy replica (no match): i1 is served past it.
    expect(q.takeFirst((j) => (j === b ? undefined : true))?.item.name).toBe('i1');
    expect(q.items()).toEqual([b]);
  });

  it('[ORCHD-Q-1] batch_max_wait_ms applies to queued jobs when changed (reload); 0 serves by arrival', () => {
    const { q, clock } = clocked(30_000);
    q.admit(job('b1', 'batch'));
    clock.t = 5;
    q.admit(job('i1'));
    expect(q.items().map((j) => j.name)).toEqual(['i1', 'b1']);
    q.batchMaxWaitMs = 0;
    expect(q.items().map((j) => j.name)).toEqual(['b1', 'i1']);
  });

  it('[ORCHD-Q-3] drop-lru still evicts the oldest batch job when aging has made it due', () => {
    const { q, clock } = clocked(1_000, 3, 'drop-lru');
    const b1 = job('b1', 'batch');
    q.admit(b1);
    q.admit(job('b2', 'batch'));
    clock.t = 5_000;
    q.admit(job('i1'));
    expect(q.items().map((j) => j.name)).toEqual(['b1', 'b2', 'i1']);
    expect(q.admit(job('i2'))).toEqual({ ok: true, evicted: b1 });
    expect(q.items().map((j) => j.name)).toEqual(['b2', 'i1', 'i2']);
  });
});
