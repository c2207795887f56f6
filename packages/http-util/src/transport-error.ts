import { type CancelSignal, OrchError, type RedactedRequest } from '@orch/adapter-api';

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns whatever undici (or the socket) threw into an OrchError. `signal` is the caller's: if it
 * fired, the outcome is CANCELLED (or the OrchError the caller aborted with, e.g. a TIMEOUT).
 */
export function mapTransportError(
  err: unknown,
  ctx: { request: RedactedRequest; signal?: CancelSignal | undefined; phase: 'request' | 'body' },
): OrchError {
  if (err instanceof OrchError) return err;
  if (ctx.signal?.aborted) {
    const reason: unknown = ctx.signal.reason;
    if (reason instanceof OrchError) return reason;
    return new OrchError('CANCELLED', 'The request was cancelled', {
      retriable: false,
      request: ctx.request,
      cause: err,
    });
  }
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const where = ctx.phase === 'body' ? 'while reading the response body' : 'before a response arrived';
  const opts = { request: ctx.request, cause: err };
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new OrchError('TIMEOUT', `Connect timed out: ${message}`, { ...opts, timeoutPhase: 'connect' });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new OrchError('TIMEOUT', 'No response headers before the headers timeout', {
        ...opts,
        timeoutPhase: 'headers',
      });
    case 'UND_ERR_BODY_TIMEOUT':
      return new OrchError('TIMEOUT', 'The response body went idle past the body timeout', {
        ...opts,
        timeoutPhase: 'idle',
      });
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return new OrchError('INTERNAL', `Invalid HTTP request: ${message}`, { ...opts, retriable: false });
    case 'UND_ERR_DESTROYED':
      return new OrchError('CANCELLED', 'The HTTP client was closed', { ...opts, retriable: false });
    case 'UND_ERR_HEADERS_OVERFLOW':
      return new OrchError('PROTOCOL', 'Response headers too large', { ...opts, retriable: false });
  }
  if (code?.startsWith('HPE_')) {
    return new OrchError('PROTOCOL', `Malformed HTTP from upstream: ${message}`, {
      ...opts,
      retriable: false,
    });
  }
  // Refused, reset, premature close, DNS...: all transient from where we stand.
  return new OrchError('NETWORK', `Network error ${where}: ${message}${code ? ` (${code})` : ''}`, opts);
}
