import { describe, expect, it } from 'vitest';
import { ServiceTimeEstimator } from './service-time.js';

describe('ServiceTimeEstimator', () => {
  it('[ORCHD-Q-4] predicts start times from measured service times, not a constant', () => {
    const e = new ServiceTimeEstimator();
    expect(e.predictStartMs(0, 0, 2)).toBe(0);
    for (let i = 0; i < 20; i++) e.record(100);
    expect(e.meanMs).toBeCloseTo(100, 5);
    // 2 slots busy, 3 queued ahead: 4 jobs must finish before ours starts, at 2 per 100 ms.
    expect(e.predictStartMs(3, 2, 2)).toBe(200);
    for (let i = 0; i < 40; i++) e.record(400);
    expect(e.predictStartMs(3, 2, 2)).toBeGreaterThan(700);
    expect(e.predictStartMs(0, 1, 2)).toBe(0);
  });
});
