import { OrchError } from '@orch/adapter-api';
import type { Logger } from 'pino';
import { poolUnready } from './admission-error.js';
import type { Job } from './job.js';
import type { OrchestratorObserver } from './observer.js';
import type { Pool } from './pool.js';
import type { Replica } from './replica.js';
import { type AttemptOutcome, runAttempt } from './run-attempt.js';
import { SessionAffinity } from './session-affinity.js';

function isPlain(job: Job): boolean {
  const p = job.placement;
  return !p.pinReplica && !p.preferReplica && !job.task.session_id && job.excluded.size === 0;
}

/**
 * Moves jobs from pool queues onto replicas, and decides what happens after each attempt:
 * finished, failed over to another replica or pool (only before the first token), or put back
 * at the head of the queue after backpressure while the replica cools down.
 */
export class Scheduler {
  readonly affinity = new SessionAffinity();

  constructor(
    private readonly pools: () => ReadonlyMap<string, Pool>,
    private readonly log: Logger,
    private readonly observer: OrchestratorObserver,
    /** Called when a retired replica has no job left, so it can be closed. */
    private readonly onReplicaIdle: (replica: Replica, pool: Pool) => void,
  ) {}

  /** Dispatches as many queued jobs as there are free slots. Never re-entered for the same pool. */
  pump(pool: Pool): void {
    if (pool.pumping) return;
    pool.pumping = true;
    try {
      const now = Date.now();
      // Bounded: every iteration removes one job from a bounded queue.
      while (pool.queue.depth > 0 && pool.anyAvailable(now)) {
        // Jobs without placement constraints all see the same replicas: once one of them finds
        // none, the others are skipped without asking, so a deep queue costs little to scan.
        let plainBlocked = false;
        const picked = pool.queue.takeFirst((job) => {
          const plain = isPlain(job);
          if (plain && plainBlocked) return undefined;
          const r = pool.pick(job, now, this.affinity);
          if (!r && plain) plainBlocked = true;
          return r;
        });
        if (!picked) break;
        this.dispatch(picked.item, pool, picked.value);
      }
      if (pool.queue.depth > 0) this.scheduleWake(pool, now);
    } finally {
      pool.pumping = false;
    }
  }

  private scheduleWake(pool: Pool, now: number): void {
    const at = pool.nextWakeAt(now);
    if (at === undefined) return;
    if (pool.wakeTimer && pool.wakeAt <= at && pool.wakeAt > now) return;
    if (pool.wakeTimer) clearTimeout(pool.wakeTimer);
    pool.wakeAt = at;
    pool.wakeTimer = setTimeout(
      () => {
        pool.wakeTimer = undefined;
        this.pump(pool);
      },
      at - now + 1,
    );
    pool.wakeTimer.unref();
  }

  private dispatch(job: Job, pool: Pool, replica: Replica): void {
    replica.acquire();
    job.markRunning(pool, replica.id);
    if (job.task.session_id) this.affinity.set(job.task.session_id, { pool: pool.id, replica: replica.id });
    this.observer.dispatched?.(job, pool, replica);
    this.log.debug(
      { job_id: job.taskId, pool: pool.id, replica: replica.id, attempt: job.attempts + 1 },
      'dispatched',
    );
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      replica.release();
    };
    const run = async (): Promise<AttemptOutcome> => {
      try {
        return await runAttempt(job, pool, replica, release);
      } finally {
        // Paired with acquire() above whatever happens (once), so in-flight counts cannot drift.
        release();
      }
    };
    run()
      .then(
        (outcome) => this.afterAttempt(job, pool, replica, outcome),
        (err: unknown) => {
          job.failWith(new OrchError('INTERNAL', `dispatch failed: ${String(err)}`, { retriable: false }));
          this.afterAttempt(job, pool, replica, { kind: 'done' });
        },
      )
      .catch((err: unknown) => {
        // A bug past this point must not become an unhandled rejection that kills the daemon.
        this.log.error(
          { job_id: job.taskId, pool: pool.id, replica: replica.id, err: String(err) },
          'scheduler error',
        );
        job.failWith(new OrchError('INTERNAL', 'internal scheduler error', { retriable: false }));
      });
  }

  private afterAttempt(job: Job, pool: Pool, replica: Replica, outcome: AttemptOutcome): void {
    if (outcome.kind === 'backpressure')
      this.onBackpressure(job, pool, replica, outcome.error, outcome.cooldownMs);
    else if (outcome.kind === 'retry') this.onRetriable(job, pool, replica, outcome.error);
    if (replica.draining && replica.inFlight === 0) this.onReplicaIdle(replica, pool);
    this.pump(pool);
  }

  private onBackpressure(job: Job, pool: Pool, replica: Replica, error: OrchError, cooldownMs: number): void {
    replica.coolDown(cooldownMs);
    this.observer.backpressure?.(job, pool, replica, cooldownMs);
    if (job.isFinished) return;
    job.requeues++;
    if (job.requeues > pool.config.retry.max_requeues) {
      job.failWith(error);
      return;
    }
    this.log.debug(
      { job_id: job.taskId, pool: pool.id, replica: replica.id, cooldown_ms: cooldownMs },
      'backpressure: requeued',
    );
    // Another replica may be free now; if all cool down, the wake timer re-arms dispatch.
    if (pool.hasHomeFor(job)) this.requeue(job, pool);
    else if (!this.moveToNextPool(job, pool)) job.failWith(error);
  }

  private onRetriable(job: Job, pool: Pool, replica: Replica, error: OrchError): void {
    if (job.isFinished) return;
    const pinned = job.placement.pinReplica !== undefined;
    if (pinned || job.attempts >= pool.config.retry.max_attempts) {
      job.failWith(error);
      return;
    }
    job.excluded.add(replica.key);
    this.observer.failover?.(job, { pool: pool.id, replica: replica.id }, error.code);
    this.log.info(
      { job_id: job.taskId, pool: pool.id, replica: replica.id, code: error.code, attempt: job.attempts },
      'failing over before the first token',
    );
    if (pool.hasHomeFor(job)) this.requeue(job, pool);
    else if (!this.moveToNextPool(job, pool)) job.failWith(error);
  }

  private requeue(job: Job, pool: Pool): void {
    job.markQueued(pool);
    pool.queue.requeueFront(job);
  }

  /** Failover across pools: the next candidate (by priority) that can still take the job. */
  moveToNextPool(job: Job, from: Pool): boolean {
    if (job.placement.pinPool || job.placement.pinReplica) return false;
    const pools = this.pools();
    const start = job.candidates.indexOf(from.id);
    for (let i = start + 1; i < job.candidates.length; i++) {
      const next = pools.get(job.candidates[i]!);
      if (!next || next === from || !next.admits() || !next.hasHomeFor(job)) continue;
      this.requeue(job, next);
      this.pump(next);
      return true;
    }
    return false;
  }

  /** After a health change: queued jobs that can no longer be served here move on or fail fast. */
  evacuate(pool: Pool): void {
    for (const job of pool.queue.items()) {
      if (pool.hasHomeFor(job)) continue;
      pool.queue.remove(job);
      if (!this.moveToNextPool(job, pool)) job.failWith(poolUnready(`pool '${pool.id}'`));
    }
  }
}
