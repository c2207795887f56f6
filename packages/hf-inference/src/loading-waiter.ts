import type { CancelSignal } from '@orch/adapter-api';
import { OrchError, toOrchError } from '@orch/adapter-api';
import { abortableSleep } from '@orch/http-util';
import { LOADING_UPSTREAM_TYPE } from './hf-error.js';
import type { LoadingWaitOptions } from './hf-inference-options.js';

export const LOADING_DEFAULTS = { maxWaitMs: 120_000, minDelayMs: 1000, maxDelayMs: 30_000 } as const;

export interface LoadingWaitContext {
  signal: CancelSignal;
  /** Told of every loading answer (the transport's breaker does not count them as failures). */
  onLoading?: (error: OrchError) => void;
  /** Told before each wait (for hooks/logs/tests). */
  onWait?: (info: { attempt: number; delayMs: number; error: OrchError }) => void;
  now?: () => number;
  sleep?: (ms: number, signal: CancelSignal) => Promise<void>;
}

function isLoading(err: unknown): err is OrchError {
  return (
    err instanceof OrchError && err.code === 'MODEL_LOADING' && err.upstreamType === LOADING_UPSTREAM_TYPE
  );
}

/** The MODEL_LOADING the caller sees once orch stopped waiting: retriable, so a pool can go elsewhere. */
function giveUp(err: OrchError, waitedMs: number, boundMs: number): OrchError {
  const waited = waitedMs > 0 ? `; waited ${Math.round(waitedMs)} ms of at most ${boundMs} ms` : '';
  return new OrchError('MODEL_LOADING', `${err.message}${waited}`, {
    retriable: true,
    ...(err.status !== undefined ? { status: err.status } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    ...(err.requestId !== undefined ? { requestId: err.requestId } : {}),
    ...(err.request !== undefined ? { request: err.request } : {}),
    cause: err,
  });
}

/**
 * Runs `attempt` and, while it fails with "model is loading", waits the server's estimate (clamped to
 * [minDelayMs, maxDelayMs]) and tries again, within `maxWaitMs` in total. An estimate that would
 * overrun the bound ends the wait at once with MODEL_LOADING (retriable) instead of sleeping in vain.
 * Never a tight loop: every retry is preceded by at least minDelayMs; aborting the signal ends the wait.
 */
export async function withLoadingWait<T>(
  attempt: () => Promise<T>,
  opts: LoadingWaitOptions,
  ctx: LoadingWaitContext,
): Promise<T> {
  const maxWaitMs = opts.maxWaitMs ?? LOADING_DEFAULTS.maxWaitMs;
  const minDelayMs = opts.minDelayMs ?? LOADING_DEFAULTS.minDelayMs;
  const maxDelayMs = Math.max(minDelayMs, opts.maxDelayMs ?? LOADING_DEFAULTS.maxDelayMs);
  const now = ctx.now ?? Date.now;
  const sleep = ctx.sleep ?? abortableSleep;
  const t0 = now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isLoading(err)) throw err;
      ctx.onLoading?.(err);
      const waited = now() - t0;
      const estimate = Math.max(minDelayMs, err.retryAfterMs ?? minDelayMs);
      // The model will not be up within the bound: say so now instead of sleeping in vain.
      if (waited + estimate > maxWaitMs) throw giveUp(err, waited, maxWaitMs);
      const delayMs = Math.min(maxDelayMs, estimate);
      ctx.onWait?.({ attempt: n, delayMs, error: err });
      try {
        await sleep(delayMs, ctx.signal);
      } catch (abortErr) {
        throw toOrchError(ctx.signal.aborted ? ctx.signal.reason : abortErr);
      }
    }
  }
}
