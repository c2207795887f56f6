import type { RouteContext } from './context.js';
import type { TokenFaults } from './fault-state.js';
import { sendJson, sendPlain, sendTgiError } from './http-replies.js';
import { sleepUnlessGone } from './liveness.js';
import { defaultErrorMessage } from './token-stream.js';

/** Answers an in-stream error on a stream route (used for `overloaded429.inStream`). */
export type StreamErrorSender = (errorType: string, message: string) => Promise<void>;

/**
 * Faults that act before generation starts. Returns true when a fault took over the request
 * (answered it, or is holding it until the client leaves).
 */
export async function applyPreFaults(ctx: RouteContext, streamError?: StreamErrorSender): Promise<boolean> {
  const { faults, res } = ctx;
  if (faults.take('stallBeforeHeaders') !== undefined) {
    await ctx.live.onGone;
    return true;
  }
  const limit = ctx.cfg.maxConcurrentRequests;
  if (limit !== undefined && ctx.inFlight > limit) {
    // Real TGI refuses at once, and on stream routes only after the 200 headers, in-stream.
    if (streamError) await streamError('overloaded', 'Model is overloaded');
    else sendTgiError(res, 429, 'Model is overloaded', 'overloaded');
    return true;
  }
  const busy = faults.take('overloaded429');
  if (busy !== undefined) {
    const o = typeof busy === 'object' ? busy : {};
    if (o.inStream && streamError) {
      await streamError('overloaded', 'Model is overloaded');
      return true;
    }
    const extra: Record<string, string> = {};
    if (o.retryAfter !== undefined) extra['retry-after'] = o.retryAfter;
    if (o.retryAfterMs !== undefined) extra['retry-after-ms'] = o.retryAfterMs;
    sendTgiError(res, 429, 'Model is overloaded', 'overloaded', extra);
    return true;
  }
  const burst = faults.take('status5xx');
  if (burst !== undefined) {
    switch (burst.status) {
      case 424:
        sendTgiError(
          res,
          424,
          `Request failed during generation: ${burst.message ?? 'Server error: CUDA out of memory'}`,
          'generation',
        );
        break;
      case 500:
        sendTgiError(res, 500, burst.message ?? 'Incomplete generation', 'incomplete_generation');
        break;
      case 502:
        sendPlain(res, 502, burst.message ?? 'Bad Gateway');
        break;
      default:
        sendTgiError(res, 503, burst.message ?? 'unhealthy', 'healthcheck');
    }
    return true;
  }
  return false;
}

const ERROR_STATUS: Record<string, [number, string]> = {
  generation: [424, 'generation'],
  validation: [422, 'validation'],
  incomplete_generation_stream: [500, 'incomplete_generation'],
};

/**
 * Token-position faults on non-stream routes, where nothing can be sent "after N tokens": a stall hangs
 * the whole answer, a cut drops the connection, malformed/huge corrupt the JSON body, an error becomes
 * the matching HTTP error. Also applies the first-token and per-token delays. True when handled.
 */
export async function applyNonStreamFaults(
  ctx: RouteContext,
  tf: TokenFaults,
  tokens: number,
): Promise<boolean> {
  const { res, live } = ctx;
  const delay = tf.firstTokenDelayMs + tf.slowDripMs * tokens;
  if (delay > 0) {
    await sleepUnlessGone(live, delay);
    if (live.gone()) return true;
  }
  if (tf.inStreamError) {
    const e = tf.inStreamError;
    const [status, type] = ERROR_STATUS[e.errorType] ?? [500, 'incomplete_generation'];
    const msg = e.message ?? (status === 500 ? 'Incomplete generation' : defaultErrorMessage(e.errorType));
    sendTgiError(res, status, msg, type);
    return true;
  }
  if (tf.malformedAfter !== undefined) {
    sendJson(res, 200, '{not json');
    return true;
  }
  if (tf.hugeLine) {
    sendJson(res, 200, `{"generated_text":"${'x'.repeat(tf.hugeLine.bytes)}`);
    return true;
  }
  if (tf.cutAfter !== undefined) {
    live.markServerCut();
    res.socket?.destroy();
    return true;
  }
  if (tf.stallAfter !== undefined) {
    await live.onGone;
    return true;
  }
  return false;
}
