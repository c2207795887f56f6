import type { CancelSignal } from '@orch/adapter-api';
import {
  isOrchError,
  type OrchError,
  type SourceEvent,
  type SourceYield,
  toOrchError,
} from '@orch/adapter-api';
import {
  abortableSleep,
  drainAfterEnd,
  type HttpClient,
  type RetryPolicyOptions,
  retryDelay,
} from '@orch/http-util';
import type { StreamStep } from './stream-steps.js';

/** What a job sends, known once the adapter checked the task (and /info, when it had to wait for it). */
export interface StreamJobPlan {
  /** Yielded before the request is sent. */
  started: SourceEvent;
  path: string;
  body: string;
  step: () => StreamStep;
}

export interface StreamJobInit {
  http: HttpClient;
  signal: CancelSignal;
  /** Runs on the first pull; its errors end the job before anything is sent. */
  plan: () => Promise<StreamJobPlan>;
  /** Policy for errors TGI sends in-stream before any token (the transport retries HTTP statuses). */
  retry: RetryPolicyOptions | false;
}

/**
 * TGI refuses an overloaded stream with a 200 and an error event, so the transport's retry (which
 * sees only statuses) never fires for it. Such an error, before any token, is as safe to retry.
 */
function retriableBeforeFirstToken(err: unknown): boolean {
  return isOrchError(err) && err.retriable && (err.code === 'OVERLOADED' || err.code === 'UPSTREAM_ERROR');
}

/**
 * One streaming job: yields `started`, opens the SSE stream and yields one array of SourceEvents per network read, so
 * the token stream pays one await per read rather than per token. Retries in-stream refusals before
 * the first token; after the final event the body end is drained (keeps the connection alive),
 * otherwise the socket is closed.
 */
export async function* streamJob(init: StreamJobInit): AsyncGenerator<SourceYield, void, undefined> {
  // Planning here rather than in a wrapping generator saves a `yield*` hop on every batch.
  const plan = await init.plan();
  yield plan.started;
  for (let attempt = 1; ; attempt++) {
    const sse = await init.http.openSse(plan.path, { body: plan.body, signal: init.signal });
    const reads = sse.batches()[Symbol.asyncIterator]();
    const parse = plan.step();
    let ended = false;
    let delivered = false;
    let retryIn: number | undefined;
    try {
      for (;;) {
        const step = await reads.next();
        if (step.done) {
          const final = parse.atEnd();
          ended = true;
          yield final;
          return;
        }
        const events: SourceEvent[] = [];
        let failure: unknown;
        try {
          ended = parse.read(step.value, events);
        } catch (err) {
          failure = err;
        }
        if (
          failure !== undefined &&
          !delivered &&
          events.length === 0 &&
          retriableBeforeFirstToken(failure)
        ) {
          retryIn = init.retry === false ? undefined : delayFor(attempt, toOrchError(failure), init.retry);
          if (retryIn === undefined) throw failure;
          break;
        }
        // Tokens that arrived before bad data or an in-stream error still reach the consumer first.
        if (events.length > 0) {
          delivered = true;
          yield events;
        }
        if (failure !== undefined) throw failure;
        if (ended) return;
      }
    } finally {
      if (ended) drainAfterEnd(sse, reads);
      else sse.close();
    }
    await abortableSleep(retryIn, init.signal).catch(() => {
      throw toOrchError(init.signal.reason);
    });
  }
}

/** The backoff before the next attempt (policy, Retry-After, budget), or undefined to give up. */
function delayFor(attempt: number, err: OrchError, policy: RetryPolicyOptions): number | undefined {
  const delay = retryDelay(attempt, err, policy);
  if (delay === undefined) return undefined;
  if (policy.budget) {
    if (!policy.budget.canRetry()) return undefined;
    policy.budget.recordRetry();
  }
  return delay;
}
