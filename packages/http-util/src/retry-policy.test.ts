import { OrchError } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { RETRY_DEFAULTS, retryDelay } from './retry-policy.js';
import { createSeededRandom } from './seeded-random.js';

const transient = new OrchError('OVERLOADED', 'busy', { status: 503 });

describe('retryDelay', () => {
  it('[HTTP-RETRY-1] full jitter: uniform below min(maxDelay, base * 2^(attempt-1)), replayable by seed', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const opts = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    for (let attempt = 1; attempt < 10; attempt++) {
      const expected = Math.floor(b() * Math.min(1000, 100 * 2 ** (attempt - 1)));
      expect(retryDelay(attempt, transient, { ...opts, random: a })).toBe(expected);
    }
  });

  it('[HTTP-RETRY-1] the jitter window is exactly the cap: random 0.999 stays below it, 0 gives 0', () => {
    expect(retryDelay(1, transient, { random: () => 0.999999 })).toBe(199);
    expect(retryDelay(2, transient, { random: () => 0.999999 })).toBe(399);
    expect(retryDelay(1, transient, { random: () => 0 })).toBe(0);
    expect(
      retryDelay(2, transient, { maxAttempts: 99, baseDelayMs: 1000, maxDelayMs: 1500, random: () => 0.5 }),
    ).toBe(750);
    expect(
      retryDelay(9, transient, { maxAttempts: 99, baseDelayMs: 1000, maxDelayMs: 1500, random: () => 0.5 }),
    ).toBe(750);
  });

  it('[HTTP-RETRY-4] gives up once maxAttempts attempts were made', () => {
    expect(RETRY_DEFAULTS.maxAttempts).toBe(3);
    expect(retryDelay(2, transient, { random: () => 0.5 })).toBeDefined();
    expect(retryDelay(3, transient, { random: () => 0.5 })).toBeUndefined();
    expect(retryDelay(1, transient, { maxAttempts: 1 })).toBeUndefined();
  });

  it('[HTTP-RETRY-3] never retries a non-retriable error', () => {
    const bad = new OrchError('INVALID_REQUEST', 'nope', { status: 422, retriable: false });
    expect(retryDelay(1, bad, { random: () => 0.5 })).toBeUndefined();
  });

  it('[HTTP-RETRY-2] a server Retry-After wins over backoff and is capped', () => {
    const err = new OrchError('RATE_LIMITED', 'slow down', { status: 429, retryAfterMs: 2500 });
    expect(retryDelay(1, err, { random: () => 0.5 })).toBe(2500);
    const far = new OrchError('RATE_LIMITED', 'slow down', { status: 429, retryAfterMs: 3_600_000 });
    expect(retryDelay(1, far)).toBe(60_000);
    expect(retryDelay(1, far, { maxRetryAfterMs: 1000 })).toBe(1000);
  });

  it('createSeededRandom yields numbers in [0,1) and differs by seed', () => {
    const r = createSeededRandom(7);
    const values = Array.from({ length: 1000 }, () => r());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
    expect(createSeededRandom(1)()).not.toBe(createSeededRandom(2)());
  });
});
