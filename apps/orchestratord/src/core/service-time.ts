/**
 * Exponentially weighted service time per pool, measured from dispatch to the job's end, so
 * `predicted_start_ms` tracks what the engines really take instead of a constant per position.
 */
export class ServiceTimeEstimator {
  private mean = 0;
  private samples = 0;

  constructor(private readonly alpha = 0.2) {}

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.samples++;
    // The first samples get more weight so the estimate converges quickly after start.
    const a = Math.max(this.alpha, 1 / this.samples);
    this.mean = this.mean + a * (ms - this.mean);
  }

  get meanMs(): number {
    return this.mean;
  }

  get sampleCount(): number {
    return this.samples;
  }

  /**
   * Expected wait before a job with `ahead` queued jobs in front of it starts, given the pool's
   * slots and the jobs running now: slots free up at `slots / mean` per ms on average.
   */
  predictStartMs(ahead: number, running: number, slots: number): number {
    if (slots <= 0) return 0;
    const mustFinish = ahead + running - slots + 1;
    if (mustFinish <= 0 || this.samples === 0) return 0;
    return Math.round((mustFinish * this.mean) / slots);
  }
}
