import type { ServerResponse } from 'node:http';
import { type ErrorCode, isOrchError, type OrchError, toOrchError } from '@orch/adapter-api';
import { policyLabelOf } from '../core/admission-error.js';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  OVERLOADED: 503,
  MODEL_LOADING: 503,
  UPSTREAM_ERROR: 502,
  TIMEOUT: 504,
  NETWORK: 502,
  CANCELLED: 499,
  PROTOCOL: 502,
  UNSUPPORTED: 400,
  INTERNAL: 500,
};

/** The HTTP status the daemon answers for an error (the error's own status wins for 4xx it carries). */
export function statusFor(err: OrchError): number {
  if (err.code === 'INVALID_REQUEST' || err.code === 'NOT_FOUND' || err.code === 'RATE_LIMITED') {
    return err.status && err.status >= 400 && err.status < 500 ? err.status : STATUS_BY_CODE[err.code];
  }
  return STATUS_BY_CODE[err.code];
}

/**
 * The daemon's error body: `{ error: { code, message, retriable, field?, retry_after_ms?, policy_label? } }`,
 * with the same fields also at the top level (llama-orch's flat admission body
 * `{code, message, retriable, retry_after_ms, policy_label}`), so both kinds of client read it.
 */
export function errorBody(err: OrchError): { error: Record<string, unknown> } & Record<string, unknown> {
  const error: Record<string, unknown> = {
    code: err.upstreamType ?? err.code,
    message: err.message,
    retriable: err.retriable,
  };
  if (err.field !== undefined) error.field = err.field;
  if (err.retryAfterMs !== undefined) error.retry_after_ms = err.retryAfterMs;
  const label = policyLabelOf(err);
  if (label !== undefined) error.policy_label = label;
  return { ...error, error };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * `Retry-After` (whole seconds) and `X-Backoff-Ms` from the error's hint. Given the status, a 429
 * without a hint still gets `retry-after: 1`: the compat clients back off only when told.
 */
export function backoffHeaders(err: OrchError, status?: number): Record<string, string> {
  if (err.retryAfterMs !== undefined) {
    return {
      'retry-after': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))),
      'x-backoff-ms': String(Math.round(err.retryAfterMs)),
    };
  }
  return status === 429 ? { 'retry-after': '1' } : {};
}

export function sendError(res: ServerResponse, value: unknown): void {
  const err = isOrchError(value) ? value : toOrchError(value);
  sendJson(res, statusFor(err), errorBody(err), backoffHeaders(err));
}

/** Resolves when the socket drained or closed; the listeners are removed either way. */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
