export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long it stays open before letting a probe through. Default 30000 ms. */
  cooldownMs?: number;
  /** Concurrent probe requests allowed while half-open. Default 1. */
  halfOpenMaxProbes?: number;
  now?: () => number;
}

/**
 * Per-endpoint breaker. Closed: everything passes, consecutive failures are counted.
 * Open: nothing passes until `cooldownMs` elapsed. Half-open: up to `halfOpenMaxProbes` requests
 * pass; a success closes it, a failure re-opens it for another cooldown.
 */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly maxProbes: number;
  private readonly now: () => number;
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probes = 0;

  constructor(options: BreakerOptions = {}) {
    this.threshold = Math.max(1, options.failureThreshold ?? 5);
    this.cooldownMs = Math.max(0, options.cooldownMs ?? 30_000);
    this.maxProbes = Math.max(1, options.halfOpenMaxProbes ?? 1);
    this.now = options.now ?? Date.now;
  }

  /** The state as of now (an open breaker whose cooldown elapsed reads as half-open). */
  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.cooldownMs) {
      this.current = 'half-open';
      this.probes = 0;
    }
    return this.current;
  }

  /** Consecutive failures counted while closed. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Milliseconds until an open breaker lets a probe through (0 when not open). */
  remainingCooldownMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.openedAt + this.cooldownMs - this.now());
  }

  /** Asks to send one request; a true answer in half-open takes a probe slot until reported. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.probes >= this.maxProbes) return false;
    this.probes++;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    if (this.current !== 'closed') {
      this.current = 'closed';
      this.probes = 0;
    }
  }

  onFailure(): void {
    if (this.current === 'half-open') {
      this.trip();
      return;
    }
    if (this.current === 'open') return;
    this.failures++;
    if (this.failures >= this.threshold) this.trip();
  }

  /** A request that ended without a verdict (e.g. cancelled by its caller) gives its probe slot back. */
  release(): void {
    if (this.current === 'half-open' && this.probes > 0) this.probes--;
  }

  private trip(): void {
    this.current = 'open';
    this.openedAt = this.now();
    this.failures = 0;
    this.probes = 0;
  }
}
