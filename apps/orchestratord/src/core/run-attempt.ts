import {
  errorFromEvent,
  OrchError,
  type TaskRequest,
  type TerminalEvent,
  type TokenEvent,
  withTimeouts,
} from '@orch/adapter-api';
import type { AttemptAbort, Job } from './job.js';
import type { Pool } from './pool.js';
import type { Replica } from './replica.js';

export type AttemptOutcome =
  | { kind: 'done' }
  | { kind: 'retry'; error: OrchError }
  | { kind: 'backpressure'; error: OrchError; cooldownMs: number };

/** Codes that say something about the replica's health (the breaker counts them). */
const REPLICA_FAULTS = new Set([
  'UPSTREAM_ERROR',
  'NETWORK',
  'TIMEOUT',
  'PROTOCOL',
  'INTERNAL',
  'UNAUTHORIZED',
]);

function isBackpressure(ev: Extract<TokenEvent, { type: 'error' }>): boolean {
  return (
    ev.code === 'OVERLOADED' || (ev.code === 'RATE_LIMITED' && (ev.status === undefined || ev.status === 429))
  );
}

function attemptTask(job: Job, pool: Pool): TaskRequest {
  const t = job.task.timeouts;
  const d = pool.config.timeouts;
  const first = t?.first_token_ms ?? d.first_token_ms;
  const idle = t?.idle_ms ?? d.idle_ms;
  // The total deadline is enforced per job (queue time included), not per attempt.
  const timeouts: NonNullable<TaskRequest['timeouts']> = {};
  if (first !== undefined) timeouts.first_token_ms = first;
  if (idle !== undefined) timeouts.idle_ms = idle;
  // withTimeouts keeps the task marked as validated, so the adapter does not parse it again.
  return withTimeouts(job.task, Object.keys(timeouts).length ? timeouts : undefined);
}

/**
 * Runs one attempt of a job on a replica and relays its events into the job's log. Failures
 * before the first token are reported back for failover or requeue; after it they end the job.
 * The replica's slot is freed through `release` as soon as the engine is done (the caller calls
 * it again in a `finally`; it is idempotent).
 */
export async function runAttempt(
  job: Job,
  pool: Pool,
  replica: Replica,
  /** Frees the replica's slot; idempotent. Called before the job's end is published. */
  release: () => void = () => {},
): Promise<AttemptOutcome> {
  let stream: ReturnType<Replica['adapter']['submit']> | undefined;
  // Cancelling the token stream aborts its source (the upstream socket) just as a signal passed to
  // submit() would, without an AbortController and listener per attempt. Whatever the reason, the
  // stream ends CANCELLED, as it did through the signal; the job's own terminal is already set.
  let aborted = false;
  const ac: AttemptAbort = {
    abort: () => {
      aborted = true;
      stream?.cancel();
    },
  };
  job.attemptAbort = ac;
  job.attempts++;
  const dispatchedAt = performance.now();
  let terminal: TerminalEvent;
  const onEvent = (ev: TokenEvent): void => {
    if (ev.type === 'token') job.appendToken(ev);
    // Held, not sent: this attempt may still fail before its first token and be failed over.
    else if (ev.type === 'started')
      job.holdStarted({ ...ev, replica_id: ev.replica_id ?? replica.id, pool_id: pool.id });
  };
  try {
    stream = replica.adapter.submit(attemptTask(job, pool));
    if (aborted) stream.cancel();
    stream.on('event', onEvent);
    terminal = await stream.result;
  } catch (err) {
    const e = err instanceof OrchError ? err : new OrchError('INTERNAL', String(err), { retriable: false });
    terminal = {
      type: 'error',
      job_id: job.taskId,
      code: e.code,
      message: e.message,
      retriable: e.retriable,
      tokens_emitted: 0,
      ...(e.status !== undefined ? { status: e.status } : {}),
      ...(e.retryAfterMs !== undefined ? { retry_after_ms: e.retryAfterMs } : {}),
    };
  } finally {
    stream?.off('event', onEvent);
    if (job.attemptAbort === ac) job.attemptAbort = undefined;
    // The slot is free before anyone learns the job ended, so a follow-up job sees it free.
    release();
  }

  if (job.isFinished) {
    // Cancelled or past its deadline while running: no verdict on the replica.
    replica.breaker.release();
    return { kind: 'done' };
  }
  if (terminal.type === 'end') {
    replica.breaker.onSuccess();
    pool.serviceTime.record(performance.now() - dispatchedAt);
    job.finish(terminal);
    return { kind: 'done' };
  }
  const relayed = job.tokensEmitted > 0;
  if (REPLICA_FAULTS.has(terminal.code)) replica.breaker.onFailure();
  else replica.breaker.release();
  if (!relayed) {
    const err = errorFromEvent(terminal);
    if (isBackpressure(terminal)) {
      const cooldownMs = terminal.retry_after_ms ?? pool.config.retry.backpressure_cooldown_ms;
      return { kind: 'backpressure', error: err, cooldownMs };
    }
    if (terminal.retriable && terminal.code !== 'CANCELLED') return { kind: 'retry', error: err };
  }
  // After the first token (or not retriable): the client gets the error, never a clean end.
  job.finish({
    ...terminal,
    job_id: job.taskId,
    tokens_emitted: job.tokensEmitted,
    retriable: terminal.retriable && !relayed,
  });
  return { kind: 'done' };
}
