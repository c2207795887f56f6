import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

function clock(start = 1000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('CircuitBreaker', () => {
  it('[HTTP-BRK-1] opens after failureThreshold consecutive failures, a success resets the count', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: c.now });
    b.onFailure();
    b.onFailure();
    b.onSuccess();
    expect(b.consecutiveFailures).toBe(0);
    b.onFailure();
    b.onFailure();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    expect(b.remainingCooldownMs()).toBe(1000);
  });

  it('[HTTP-BRK-2] half-open after cooldown lets exactly halfOpenMaxProbes through; success closes', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 500, halfOpenMaxProbes: 1, now: c.now });
    b.onFailure();
    c.advance(499);
    expect(b.allow()).toBe(false);
    c.advance(1);
    expect(b.state).toBe('half-open');
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false);
    b.onSuccess();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
  });

  it('[HTTP-BRK-2] a failed probe re-opens for a fresh cooldown; release() frees a probe slot', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 500, now: c.now });
    b.onFailure();
    c.advance(500);
    expect(b.allow()).toBe(true);
    b.onFailure();
    expect(b.state).toBe('open');
    c.advance(499);
    expect(b.allow()).toBe(false);
    c.advance(1);
    expect(b.allow()).toBe(true);
    b.release();
    expect(b.allow()).toBe(true);
  });
});
