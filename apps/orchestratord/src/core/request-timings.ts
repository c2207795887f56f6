import type { Job } from './job.js';

interface Entry {
  jobs: Job[];
  /** Concurrent requests may echo the same correlation id. */
  refs: number;
}

/**
 * Lets the HTTP layer subtract the time a request spent waiting on jobs (queue + engine) from its
 * wall time, which leaves the daemon's own overhead. Only requests the server opened are tracked,
 * so nothing accumulates for jobs submitted from code.
 */
export class RequestTimings {
  private readonly open = new Map<string, Entry>();

  begin(correlationId: string): void {
    const entry = this.open.get(correlationId);
    if (entry) entry.refs++;
    else this.open.set(correlationId, { jobs: [], refs: 1 });
  }

  attach(correlationId: string, job: Job): void {
    this.open.get(correlationId)?.jobs.push(job);
  }

  /** Milliseconds the request's jobs spent queued or running, up to `now`. */
  externalMs(correlationId: string, now = performance.now()): number {
    const entry = this.open.get(correlationId);
    if (!entry) return 0;
    let ms = 0;
    for (const job of entry.jobs) ms += (job.finishedAtPerf ?? now) - job.admittedAtPerf;
    return ms;
  }

  end(correlationId: string): void {
    const entry = this.open.get(correlationId);
    if (entry && --entry.refs <= 0) this.open.delete(correlationId);
  }

  get size(): number {
    return this.open.size;
  }
}
