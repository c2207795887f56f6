import type { OrchError } from '@orch/adapter-api';
import type { RetryBudget } from './retry-budget.js';

export interface RetryPolicyOptions {
  /** Attempts including the first. Default 3. */
  maxAttempts?: number;
  /** Backoff base: the cap for the first retry's jitter window. Default 200 ms. */
  baseDelayMs?: number;
  /** Cap on the exponential window. Default 5000 ms. */
  maxDelayMs?: number;
  /** Cap on a server-requested Retry-After. Default 60000 ms. */
  maxRetryAfterMs?: number;
  /** Shared retry budget; the client makes its own when absent. */
  budget?: RetryBudget;
  /** Source of jitter in [0, 1); inject `createSeededRandom(seed)` to replay delays. */
  random?: () => number;
}

export const RETRY_DEFAULTS = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxRetryAfterMs: 60_000,
} as const;

/**
 * The wait before the next attempt, or undefined to give up. Pure apart from `random`.
 * `attempt` is the number of attempts already made (1 after the first failure).
 * A server's Retry-After wins over backoff (capped); otherwise full jitter:
 * uniform in [0, min(maxDelay, base * 2^(attempt-1))).
 */
export function retryDelay(
  attempt: number,
  err: OrchError,
  opts: RetryPolicyOptions = {},
): number | undefined {
  const maxAttempts = opts.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
  if (!err.retriable || attempt >= maxAttempts) return undefined;
  if (err.retryAfterMs !== undefined) {
    return Math.min(Math.max(0, err.retryAfterMs), opts.maxRetryAfterMs ?? RETRY_DEFAULTS.maxRetryAfterMs);
  }
  const base = opts.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs;
  const cap = opts.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs;
  const window = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  const random = opts.random ?? Math.random;
  return Math.floor(random() * window);
}
