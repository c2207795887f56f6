import { OrchError } from './errors.js';
import type { ErrorEvent } from './events.js';

/** A terminal `error` event back into the OrchError it stands for (for callers that throw or answer HTTP). */
export function errorFromEvent(ev: ErrorEvent): OrchError {
  return new OrchError(ev.code, ev.message, {
    retriable: ev.retriable,
    ...(ev.status !== undefined ? { status: ev.status } : {}),
    ...(ev.retry_after_ms !== undefined ? { retryAfterMs: ev.retry_after_ms } : {}),
    ...(ev.timeout_phase !== undefined ? { timeoutPhase: ev.timeout_phase } : {}),
  });
}
