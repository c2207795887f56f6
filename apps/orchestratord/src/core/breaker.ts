export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Per-replica breaker fed by request outcomes (passive health). Open after `threshold`
 * consecutive failures; after `cooldownMs` one probe request may pass (half-open); its success
 * closes the breaker, its failure re-opens it.
 */
export class Breaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;

  constructor(
    private threshold: number,
    private cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  configure(threshold: number, cooldownMs: number): void {
    this.threshold = threshold;
    this.cooldownMs = cooldownMs;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.cooldownMs) {
      this.current = 'half-open';
      this.probeInFlight = false;
    }
    return this.current;
  }

  /** Epoch ms at which an open breaker lets a probe through (0 when not open). */
  get reopensAt(): number {
    return this.state === 'open' ? this.openedAt + this.cooldownMs : 0;
  }

  /** Whether a request may be sent now (does not take the half-open probe). */
  canPass(): boolean {
    const s = this.state;
    return s === 'closed' || (s === 'half-open' && !this.probeInFlight);
  }

  /** Takes the half-open probe slot, if that is the state. */
  acquire(): void {
    if (this.state === 'half-open') this.probeInFlight = true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.current = 'closed';
    this.probeInFlight = false;
  }

  onFailure(): void {
    const s = this.state;
    if (s === 'half-open') this.trip();
    else if (s === 'closed' && ++this.failures >= this.threshold) this.trip();
  }

  /** An attempt that ended without a verdict (cancelled) gives the probe slot back. */
  release(): void {
    this.probeInFlight = false;
  }

  private trip(): void {
    this.current = 'open';
    this.openedAt = this.now();
    this.failures = 0;
    this.probeInFlight = false;
  }
}
