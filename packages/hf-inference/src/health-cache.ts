import type { CancelSignal, HealthReport } from '@orch/adapter-api';

/**
 * Reuses a health report for `intervalMs` and shares one probe among concurrent callers, so a
 * daemon polling every pool often does not spend the user's hosted-inference quota on probes.
 */
export class HealthCache {
  private last: HealthReport | undefined;
  private lastAt = 0;
  private inFlight: Promise<HealthReport> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly probe: (signal?: CancelSignal) => Promise<HealthReport>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached report while fresh, else a new probe (at most one at a time). */
  get(signal?: CancelSignal): Promise<HealthReport> {
    if (this.last && this.now() - this.lastAt < this.intervalMs) return Promise.resolve(this.last);
    this.inFlight ??= this.probe(signal)
      .then((report) => {
        this.last = report;
        this.lastAt = this.now();
        return report;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Forgets the cached report (e.g. after the adapter saw the credentials refused). */
  invalidate(): void {
    this.last = undefined;
  }
}
