import { describe, expect, it } from 'vitest';
import { JobQueue } from './job-queue.js';

const job = (name: string, priority: 'interactive' | 'batch' = 'interactive') => ({
  name,
  task: { priority },
});

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
});
