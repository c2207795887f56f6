import type { Job } from './job.js';

/** A finished job with a longer token log keeps only `started` + the terminal event. */
const COMPACT_ABOVE = 4096;
/** Token events kept in full across all finished jobs (for replays); older logs are compacted. */
const REPLAY_BUDGET = 65_536;

/**
 * Jobs by id: live ones always, finished ones for `retentionMs` and at most `maxRetained` of them
 * (oldest finished forgotten first), so GET /v2/tasks/{id} works after the end without growing
 * memory with traffic.
 */
export class JobStore {
  private readonly live = new Map<string, Job>();
  private readonly finished = new Map<string, { job: Job; at: number }>();
  /** Finished jobs still holding their full log, oldest first, with the log's length. */
  private readonly replayable = new Map<string, number>();
  private replayEvents = 0;

  constructor(
    private retentionMs: number,
    private maxRetained: number,
  ) {}

  configure(retentionMs: number, maxRetained: number): void {
    this.retentionMs = retentionMs;
    this.maxRetained = maxRetained;
  }

  has(id: string): boolean {
    return this.live.has(id) || this.finished.has(id);
  }

  add(job: Job): void {
    this.live.set(job.taskId, job);
  }

  get(id: string): Job | undefined {
    const j = this.live.get(id);
    if (j) return j;
    const f = this.finished.get(id);
    if (!f) return undefined;
    if (Date.now() - f.at > this.retentionMs) {
      this.finished.delete(id);
      const n = this.replayable.get(id);
      if (n !== undefined) this.forgetReplay(id, n);
      return undefined;
    }
    return f.job;
  }

  /** Moves a finished job to bounded retention. */
  retire(job: Job): void {
    if (this.live.get(job.taskId) !== job) return;
    this.live.delete(job.taskId);
    if (!job.retainWhenFinished || this.maxRetained === 0 || this.retentionMs === 0) return;
    const now = Date.now();
    // A long token log is not needed for the result (the end event carries the text); short
    // ones are kept for late replays within a global budget, oldest compacted first.
    // Compacted before retain(), which copies the log to its exact length: a long log is not copied.
    const events = job.snapshot().length;
    if (events > COMPACT_ABOVE) job.compact();
    else {
      this.replayable.set(job.taskId, events);
      this.replayEvents += events;
    }
    job.retain();
    this.finished.set(job.taskId, { job, at: now });
    this.prune(now);
    // Keys rather than entries: no [id, n] pair allocated per step on this per-request path.
    if (this.replayEvents > REPLAY_BUDGET) {
      for (const id of this.replayable.keys()) {
        if (this.replayEvents <= REPLAY_BUDGET) break;
        this.forgetReplay(id, this.replayable.get(id)!);
        this.finished.get(id)?.job.compact();
      }
    }
  }

  private forgetReplay(id: string, events: number): void {
    this.replayable.delete(id);
    this.replayEvents -= events;
  }

  liveJobs(): Job[] {
    return [...this.live.values()];
  }

  get liveCount(): number {
    return this.live.size;
  }

  get retainedCount(): number {
    return this.finished.size;
  }

  private prune(now: number): void {
    // Insertion order is finish order: expired and over-limit entries are all at the front.
    for (const id of this.finished.keys()) {
      const entry = this.finished.get(id)!;
      if (this.finished.size > this.maxRetained || now - entry.at > this.retentionMs) {
        this.finished.delete(id);
        const n = this.replayable.get(id);
        if (n !== undefined) this.forgetReplay(id, n);
        continue;
      }
      break;
    }
  }
}
