import { OrchError, parseTask, type TaskRequestInput, type WorkerAdapter } from '@orch/adapter-api';
import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters/define-adapter.js';
import type { DaemonConfig } from '../config/config-schema.js';
import type { Env } from '../config/load-config.js';
import {
  deadlineUnmet,
  evictedByDropLru,
  noPoolForModel,
  poolUnready,
  queueFull,
  shuttingDown,
} from './admission-error.js';
import { discoverModels } from './discover-models.js';
import { Job, type JobPlacement } from './job.js';
import { JobStore } from './job-store.js';
import type { OrchestratorObserver } from './observer.js';
import type { JobHandle, ModelView, Orchestrator, PoolView, SubmitContext } from './orchestrator-types.js';
import type { Pool } from './pool.js';
import { type ApplyReport, PoolManager } from './pool-manager.js';
import type { Replica } from './replica.js';
import { RequestTimings } from './request-timings.js';
import { Scheduler } from './scheduler.js';

export interface OrchestratorOptions {
  registry: AdapterRegistry;
  env: Env;
  log: Logger;
  observer?: OrchestratorObserver;
  /** Monotonic ms for queue ordering (batch aging); tests inject one, else `performance.now`. */
  clock?: () => number;
}

/** The daemon's core: admission, routing, dispatch, health, job lookup, reload and shutdown. */
export class OrchestratorImpl implements Orchestrator {
  readonly timings = new RequestTimings();
  private readonly manager: PoolManager;
  private readonly scheduler: Scheduler;
  private readonly store = new JobStore(300_000, 2_000);
  private readonly log: Logger;
  private readonly observer: OrchestratorObserver;
  private isAccepting = true;

  constructor(opts: OrchestratorOptions) {
    this.log = opts.log;
    this.observer = opts.observer ?? {};
    this.manager = new PoolManager(
      opts.registry,
      opts.env,
      opts.log,
      { onPhaseChange: (replica, from, to) => this.onPhaseChange(replica, from, to) },
      opts.clock,
    );
    this.scheduler = new Scheduler(
      () => this.manager.pools,
      opts.log,
      this.observer,
      (replica) => void this.manager.closeReplica(replica),
    );
    this.manager.scheduler = this.scheduler;
  }

  get accepting(): boolean {
    return this.isAccepting;
  }

  /** Applies a configuration: at start, and on every reload (SIGHUP). */
  async applyConfig(config: DaemonConfig): Promise<ApplyReport> {
    this.store.configure(config.jobs.retention_ms, config.jobs.max_retained);
    const report = await this.manager.apply(config);
    this.log.info(report, 'configuration applied');
    return report;
  }

  /** Pools that serve `model`, best first (lower priority value first, then config order). */
  findCompatibleBackend(model: string | undefined): Pool[] {
    const pools = [...this.manager.pools.values()].filter((p) => p.serves(model));
    // An exact model match beats a wildcard pool of the same priority.
    const exact = (p: Pool) => (model !== undefined && p.config.models.includes(model) ? 0 : 1);
    return pools.sort((a, b) => a.config.priority - b.config.priority || exact(a) - exact(b));
  }

  submit(input: TaskRequestInput, ctx: SubmitContext): JobHandle {
    if (!this.isAccepting) throw shuttingDown();
    const task = parseTask(input);
    if (this.store.has(task.job_id)) {
      throw new OrchError('INVALID_REQUEST', `a task with job_id '${task.job_id}' already exists`, {
        field: 'job_id',
        status: 409,
        retriable: false,
      });
    }
    const placement = toPlacement(ctx.placement);
    let candidates = this.findCompatibleBackend(task.model);
    const pinPool = placement.pinPool;
    if (pinPool) {
      const pinned = this.manager.pools.get(pinPool);
      if (!pinned) {
        throw new OrchError('NOT_FOUND', `no pool '${pinPool}'`, {
          field: 'placement.pin.pool',
          status: 404,
          retriable: false,
        });
      }
      candidates = [pinned];
    } else if (placement.preferPool) {
      const preferred = candidates.find((p) => p.id === placement.preferPool);
      if (preferred) candidates = [preferred, ...candidates.filter((p) => p !== preferred)];
    }
    if (placement.pinReplica && !candidates.some((p) => p.replicas.has(placement.pinReplica!))) {
      throw new OrchError('NOT_FOUND', `no replica '${placement.pinReplica}' serves this task`, {
        field: 'placement.pin.replica',
        status: 404,
        retriable: false,
      });
    }
    if (candidates.length === 0) throw noPoolForModel(task.model);
    const open = candidates.filter((p) => p.admits(placement.pinReplica));
    if (open.length === 0) {
      this.observer.rejected?.(candidates[0]!.id, 'unready', task.priority);
      throw poolUnready(
        pinPool ? `pool '${pinPool}'` : `every pool serving ${task.model ? `'${task.model}'` : 'this task'}`,
      );
    }
    const deadline = task.timeouts?.total_ms;
    if (deadline !== undefined) {
      // Checked before admission so a refused task never evicts anyone (drop-lru).
      const first = open[0]!;
      const predicted = first.predictStartMs(first.queue.positionFor(task.priority));
      if (predicted > deadline) {
        this.observer.rejected?.(first.id, 'deadline', task.priority);
        throw deadlineUnmet(predicted, deadline);
      }
    }
    const job = new Job(
      task,
      ctx,
      open.map((p) => p.id),
      placement,
    );
    let admittedTo: Pool | undefined;
    let refusal: OrchError | undefined;
    for (const pool of open) {
      const res = pool.queue.admit(job);
      if (res.ok) {
        admittedTo = pool;
        if (res.evicted) {
          this.observer.rejected?.(pool.id, 'drop-lru', res.evicted.task.priority);
          res.evicted.failWith(evictedByDropLru(pool.id, this.retryAfterMs(pool)));
        }
        break;
      }
      refusal ??= queueFull(pool.id, pool.queue.policy, this.retryAfterMs(pool));
    }
    if (!admittedTo) {
      this.observer.rejected?.(open[0]!.id, 'queue-full', task.priority);
      throw refusal ?? poolUnready('every candidate pool');
    }
    const pool = admittedTo;
    job.markQueued(pool);
    const ahead = pool.queue.position(job);
    job.queuePosition = ahead;
    job.predictedStartMs = pool.predictStartMs(ahead);
    this.track(job, ctx, deadline ?? pool.config.timeouts.total_ms);
    this.observer.enqueued?.(job, pool);
    this.scheduler.pump(pool);
    return job;
  }

  private track(job: Job, ctx: SubmitContext, totalMs: number | undefined): void {
    this.store.add(job);
    this.timings.attach(ctx.correlationId, job);
    const signal = ctx.signal;
    const onAbort = () => job.cancel('The client went away');
    const deadline = totalMs
      ? setTimeout(() => {
          job.failWith(
            new OrchError('TIMEOUT', `Timed out after ${totalMs} ms waiting for the end`, {
              timeoutPhase: 'total',
            }),
          );
        }, totalMs)
      : undefined;
    deadline?.unref();
    job.onFinish = (j, wasQueued) => {
      // A finished job is retained for GET /v2/tasks/{id} (seconds at high rates): it must not keep
      // this closure, the timer and the client's signal with it, or all of them outlive the
      // young generation and fill the old one.
      j.onFinish = undefined;
      if (deadline) clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      if (wasQueued) j.pool?.queue.remove(j);
      const terminal = j.terminalEvent!;
      const replica = j.replicaId ? j.pool?.replicas.get(j.replicaId) : undefined;
      this.store.retire(j);
      this.observer.finished?.(j, terminal, j.pool, replica);
    };
    if (signal?.aborted) queueMicrotask(onAbort);
    else signal?.addEventListener('abort', onAbort, { once: true });
  }

  /** When a slot is likely to free up, for Retry-After: the pool's mean service time per slot. */
  private retryAfterMs(pool: Pool): number {
    const per = pool.slots > 0 ? pool.serviceTime.meanMs / pool.slots : 1000;
    return Math.min(30_000, Math.max(100, per));
  }

  getJob(taskId: string): Job | undefined {
    return this.store.get(taskId);
  }

  pools(): PoolView[] {
    return [...this.manager.pools.values()].map((p) => p.view());
  }

  pool(id: string): Pool | undefined {
    return this.manager.pools.get(id);
  }

  async models(): Promise<ModelView[]> {
    return discoverModels([...this.manager.pools.values()]);
  }

  /** The adapter behind a replica (tests and benches reach engines through it). */
  replicaAdapter(poolId: string, replicaId: string): WorkerAdapter | undefined {
    return this.manager.pools.get(poolId)?.replicas.get(replicaId)?.adapter;
  }

  /** Stops admitting to a pool; queued and running jobs still finish. */
  drainPool(id: string): PoolView | undefined {
    return this.setDraining(id, true);
  }

  /**
   * Puts a drained pool back into service (admission resumes). Only live pools are found here: a
   * pool retired by a reload is gone from the map and stays retired.
   */
  undrainPool(id: string): PoolView | undefined {
    return this.setDraining(id, false);
  }

  private setDraining(id: string, draining: boolean): PoolView | undefined {
    const pool = this.manager.pools.get(id);
    if (!pool) return undefined;
    pool.draining = draining;
    return pool.view();
  }

  /** True when some pool could take a job now (or soon: a replica still starting). */
  get ready(): boolean {
    for (const p of this.manager.pools.values()) if (p.admits()) return true;
    return false;
  }

  get liveJobs(): number {
    return this.store.liveCount;
  }

  /** Finished jobs still kept for GET /v2/tasks/{id}. */
  get retainedJobs(): number {
    return this.store.retainedCount;
  }

  /** Graceful stop: refuse new jobs, let running ones finish for `graceMs`, cancel the rest. */
  async shutdown(graceMs: number): Promise<void> {
    this.isAccepting = false;
    const live = this.store.liveJobs();
    if (live.length) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(live.map((j) => j.result)), grace]);
      if (timer) clearTimeout(timer);
      for (const j of this.store.liveJobs()) j.cancel('The daemon is shutting down');
    }
    await this.manager.closeAll();
  }

  private onPhaseChange(replica: Replica, from: string, to: string): void {
    this.observer.replicaPhase?.(replica.poolId, replica, from, to);
    this.log.info(
      { pool: replica.poolId, replica: replica.id, from, to, health: replica.lastHealth?.message },
      'replica health changed',
    );
    const pool = this.manager.pools.get(replica.poolId);
    if (!pool) return;
    if (to === 'ready') this.scheduler.pump(pool);
    else this.scheduler.evacuate(pool);
  }
}

function toPlacement(p: SubmitContext['placement']): JobPlacement {
  const out: JobPlacement = {};
  if (p?.pin?.pool) out.pinPool = p.pin.pool;
  if (p?.pin?.replica) out.pinReplica = p.pin.replica;
  if (p?.prefer?.pool) out.preferPool = p.prefer.pool;
  if (p?.prefer?.replica) out.preferReplica = p.prefer.replica;
  return out;
}
