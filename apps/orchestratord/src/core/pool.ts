import type { PoolConfig } from '../config/config-schema.js';
import type { Job } from './job.js';
import { JobQueue } from './job-queue.js';
import type { PoolView } from './orchestrator-types.js';
import type { Replica } from './replica.js';
import { ServiceTimeEstimator } from './service-time.js';
import type { SessionAffinity } from './session-affinity.js';

/** A group of replicas serving the same models, with one bounded queue in front of them. */
export class Pool {
  readonly id: string;
  config: PoolConfig;
  readonly replicas = new Map<string, Replica>();
  readonly queue: JobQueue<Job>;
  readonly serviceTime = new ServiceTimeEstimator();
  draining = false;
  /** Re-arms dispatch when a cooling or broken replica may take work again. */
  wakeTimer: NodeJS.Timeout | undefined;
  wakeAt = 0;
  pumping = false;
  private rr = 0;

  /** `clock` orders the queue (monotonic ms); injected by tests, `performance.now` otherwise. */
  constructor(config: PoolConfig, clock?: () => number) {
    this.id = config.id;
    this.config = config;
    this.queue = new JobQueue<Job>(config.queue.capacity, config.queue.policy, {
      batchMaxWaitMs: config.queue.batch_max_wait_ms,
      ...(clock ? { now: clock } : {}),
    });
  }

  updateConfig(config: PoolConfig): void {
    this.config = config;
    this.queue.capacity = config.queue.capacity;
    this.queue.policy = config.queue.policy;
    this.queue.batchMaxWaitMs = config.queue.batch_max_wait_ms;
  }

  /** A task without a model may go to any pool (priority decides); otherwise exact id or `*`. */
  serves(model: string | undefined): boolean {
    const models = this.config.models;
    return model === undefined || models.includes('*') || models.includes(model);
  }

  get running(): number {
    let n = 0;
    for (const r of this.replicas.values()) n += r.inFlight;
    return n;
  }

  get slots(): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.usable()) n += r.maxConcurrent;
    return n;
  }

  /** Whether it is worth admitting a job here: some replica is ready or starting. */
  admits(pinReplica?: string): boolean {
    if (this.draining) return false;
    if (pinReplica) return this.replicas.get(pinReplica)?.usable() ?? false;
    for (const r of this.replicas.values()) if (r.usable()) return true;
    return false;
  }

  predictStartMs(ahead: number): number {
    return this.serviceTime.predictStartMs(ahead, this.running, this.slots);
  }

  /**
   * The replica this job should run on now, or undefined to keep it queued. Only ready replicas
   * with a free slot; pin is strict, session affinity sticks while its replica is usable, prefer
   * falls back; otherwise least outstanding requests per unit of weight, ties round-robin.
   */
  pick(job: Job, now: number, affinity: SessionAffinity): Replica | undefined {
    const p = job.placement;
    if (p.pinReplica) {
      const r = this.replicas.get(p.pinReplica);
      return r?.available(now) ? r : undefined;
    }
    const sticky = job.task.session_id ? affinity.get(job.task.session_id) : undefined;
    if (sticky && sticky.pool === this.id) {
      const r = this.replicas.get(sticky.replica);
      if (r?.usable() && !job.excluded.has(r.key)) return r.available(now) ? r : undefined;
    }
    if (p.preferReplica && (!p.preferPool || p.preferPool === this.id)) {
      const r = this.replicas.get(p.preferReplica);
      if (r?.available(now) && !job.excluded.has(r.key)) return r;
    }
    return this.leastLoaded(job, now);
  }

  private leastLoaded(job: Job, now: number): Replica | undefined {
    const list = [...this.replicas.values()];
    const n = list.length;
    let best: Replica | undefined;
    let bestIndex = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let k = 0; k < n; k++) {
      const i = (this.rr + k) % n;
      const r = list[i]!;
      if (!r.available(now) || job.excluded.has(r.key)) continue;
      const score = r.inFlight / r.weight;
      // Strictly less: among equals the first one from the rotating start wins, so ties rotate.
      if (score < bestScore) {
        best = r;
        bestScore = score;
        bestIndex = i;
      }
    }
    if (best) this.rr = (bestIndex + 1) % n;
    return best;
  }

  /** Some replica can take a job right now (cheap check before scanning the queue). */
  anyAvailable(now: number): boolean {
    for (const r of this.replicas.values()) if (r.available(now)) return true;
    return false;
  }

  /** Whether a job could still find a replica here (ignoring busy slots): else it must move on. */
  hasHomeFor(job: Job): boolean {
    if (job.placement.pinReplica) return this.replicas.get(job.placement.pinReplica)?.usable() ?? false;
    for (const r of this.replicas.values()) if (r.usable() && !job.excluded.has(r.key)) return true;
    return false;
  }

  /** The earliest epoch ms at which a cooling or broken replica may take work again. */
  nextWakeAt(now: number): number | undefined {
    let at: number | undefined;
    for (const r of this.replicas.values()) {
      if (r.phase !== 'ready' || r.draining) continue;
      const t = Math.max(r.coolUntil, r.breaker.reopensAt);
      if (t > now && (at === undefined || t < at)) at = t;
    }
    return at;
  }

  view(): PoolView {
    return {
      id: this.id,
      adapter: this.config.adapter,
      models: this.config.models,
      priority: this.config.priority,
      draining: this.draining,
      queue: { depth: this.queue.depth, capacity: this.queue.capacity, policy: this.queue.policy },
      replicas: [...this.replicas.values()].map((r) => ({
        id: r.id,
        state: r.draining ? 'draining' : r.phase === 'ready' ? 'ready' : 'unready',
        health: r.lastHealth,
        inFlight: r.inFlight,
        maxConcurrent: r.maxConcurrent,
        breaker: r.breakerState,
      })),
    };
  }
}
