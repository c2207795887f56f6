export interface RetryBudgetOptions {
  /** Retries earned per request made (0.2 = at most one retry for every five requests, sustained). */
  ratio?: number;
  /** A floor so a quiet client can still retry: this many retries per second regardless of traffic. */
  minRetriesPerSec?: number;
  /** Upper bound on retries banked from earlier traffic, so a long calm period can't fund a storm. */
  maxEarned?: number;
  now?: () => number;
}

/**
 * Caps retries to a fraction of traffic so an outage doesn't multiply load on the upstream.
 * Two buckets: `earned` grows by `ratio` per request; `reserve` refills at `minRetriesPerSec`
 * (holding at most one second's worth). A retry spends from `earned` first.
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly minPerSec: number;
  private readonly maxEarned: number;
  private readonly now: () => number;
  private earned = 0;
  private reserve: number;
  private lastRefill: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.2;
    this.minPerSec = options.minRetriesPerSec ?? 10;
    this.maxEarned = options.maxEarned ?? 100;
    this.now = options.now ?? Date.now;
    if (!(this.ratio >= 0) || !(this.minPerSec >= 0) || !(this.maxEarned >= 0)) {
      throw new RangeError('RetryBudget: ratio, minRetriesPerSec and maxEarned must be >= 0');
    }
    this.reserve = this.minPerSec;
    this.lastRefill = this.now();
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.lastRefill) / 1000;
    this.lastRefill = t;
    this.reserve = Math.min(this.minPerSec, this.reserve + elapsed * this.minPerSec);
  }

  canRetry(): boolean {
    this.refill();
    return this.earned >= 1 || this.reserve >= 1;
  }

  recordRequest(): void {
    this.earned = Math.min(this.maxEarned, this.earned + this.ratio);
  }

  recordRetry(): void {
    this.refill();
    if (this.earned >= 1) this.earned -= 1;
    else this.reserve = Math.max(0, this.reserve - 1);
  }
}
