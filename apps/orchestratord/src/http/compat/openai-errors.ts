// OpenAI's error body, `{error:{message,type,param,code}}`, for the daemon's OrchErrors, so the
// official SDKs raise their usual typed errors (BadRequestError with `param`, NotFoundError, ...).
import type { ServerResponse } from 'node:http';
import { type ErrorEvent, isOrchError, type OrchError, toOrchError } from '@orch/adapter-api';
import { backoffHeaders, sendJson, statusFor } from '../respond.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

function typeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'server_error';
}

function codeFor(err: { code: string; upstreamType?: string | undefined }, status: number): string | null {
  if (err.upstreamType) return err.upstreamType;
  if (err.code === 'NOT_FOUND') return 'model_not_found';
  if (status === 429) return 'rate_limit_exceeded';
  if (err.code === 'INVALID_REQUEST') return 'invalid_value';
  return err.code.toLowerCase();
}

/**
 * The daemon's 503s (no ready replica, engine loading) are answered 429 with Retry-After on the
 * compat routes: @huggingface/inference retries a 503 at once and without limit (a tight loop
 * against us), while every client backs off on a 429. The daemon's code stays in `error.code`.
 */
export function compatStatus(err: OrchError): number {
  const status = statusFor(err);
  return status === 503 ? 429 : status;
}

export function openAIError(err: OrchError): { status: number; body: OpenAIErrorBody } {
  const status = compatStatus(err);
  const param = err.field && err.field !== '(root)' && err.field !== '(body)' ? err.field : null;
  return {
    status,
    body: { error: { message: err.message, type: typeFor(status), param, code: codeFor(err, status) } },
  };
}

/** The body of an in-stream error chunk, from the job's terminal error event. */
export function openAIStreamError(ev: ErrorEvent): OpenAIErrorBody {
  const status = ev.status ?? 500;
  return {
    error: {
      message: ev.message,
      type: ev.code === 'CANCELLED' ? 'cancelled' : typeFor(status >= 500 || status < 400 ? 500 : status),
      param: null,
      code: ev.code.toLowerCase(),
    },
  };
}

export function sendOpenAIError(res: ServerResponse, value: unknown): void {
  const err = isOrchError(value) ? value : toOrchError(value);
  const { status, body } = openAIError(err);
  sendJson(res, status, body, backoffHeaders(err, status));
}
