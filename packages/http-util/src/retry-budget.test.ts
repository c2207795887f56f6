import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.js';

describe('RetryBudget', () => {
  it('[HTTP-RETRY-4] allows the per-second floor, then only what traffic earned', () => {
    let t = 0;
    const budget = new RetryBudget({ ratio: 0.5, minRetriesPerSec: 2, now: () => t });
    expect(budget.canRetry()).toBe(true);
    budget.recordRetry();
    budget.recordRetry();
    expect(budget.canRetry()).toBe(false);
    budget.recordRequest();
    expect(budget.canRetry()).toBe(false);
    budget.recordRequest();
    expect(budget.canRetry()).toBe(true);
    budget.recordRetry();
    expect(budget.canRetry()).toBe(false);
    t += 500;
    expect(budget.canRetry()).toBe(true);
  });

  it('caps earned retries', () => {
    const budget = new RetryBudget({ ratio: 1, minRetriesPerSec: 0, maxEarned: 2, now: () => 0 });
    for (let i = 0; i < 10; i++) budget.recordRequest();
    budget.recordRetry();
    budget.recordRetry();
    expect(budget.canRetry()).toBe(false);
  });
});
