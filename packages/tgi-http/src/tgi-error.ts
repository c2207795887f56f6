import { type ErrorCode, OrchError } from '@orch/adapter-api';

interface TgiErrorMapping {
  code: ErrorCode;
  retriable: boolean;
  status: number;
}

// TGI's `error_type` values (router/src/server.rs) and what each means for a caller.
const BY_TYPE: Record<string, TgiErrorMapping> = {
  overloaded: { code: 'OVERLOADED', retriable: true, status: 429 },
  validation: { code: 'INVALID_REQUEST', retriable: false, status: 422 },
  template_error: { code: 'INVALID_REQUEST', retriable: false, status: 422 },
  missing_template_variable: { code: 'INVALID_REQUEST', retriable: false, status: 422 },
  tool_error: { code: 'INVALID_REQUEST', retriable: false, status: 422 },
  'suffix not supported': { code: 'INVALID_REQUEST', retriable: false, status: 422 },
  'batch size exceeded': { code: 'INVALID_REQUEST', retriable: false, status: 422 },
  generation: { code: 'UPSTREAM_ERROR', retriable: true, status: 424 },
  incomplete_generation: { code: 'UPSTREAM_ERROR', retriable: true, status: 500 },
  incomplete_generation_stream: { code: 'UPSTREAM_ERROR', retriable: true, status: 500 },
  stream_serialization_error: { code: 'UPSTREAM_ERROR', retriable: true, status: 500 },
  healthcheck: { code: 'UPSTREAM_ERROR', retriable: true, status: 503 },
};

// The OpenAI-shaped in-stream errors of TGI's chat route carry no error_type and a status hard-coded
// to 422, so the message prefix is the only honest signal of what went wrong.
const BY_PREFIX: ReadonlyArray<[string, string]> = [
  ['Input validation error', 'validation'],
  ['Model is overloaded', 'overloaded'],
  ['Request failed during generation', 'generation'],
  ['Incomplete generation stream', 'incomplete_generation_stream'],
  ['Incomplete generation', 'incomplete_generation'],
  ['Template error', 'template_error'],
  ['Missing template', 'missing_template_variable'],
  ['Tool error', 'tool_error'],
];

/** The TGI error_type a message implies, when the upstream did not say. */
export function errorTypeFromMessage(message: string): string | undefined {
  for (const [prefix, type] of BY_PREFIX) if (message.startsWith(prefix)) return type;
  return undefined;
}

/** Code for a bare HTTP status, for upstreams that give nothing better. */
export function codeForStatus(status: number): { code: ErrorCode; retriable: boolean } {
  if (status === 401 || status === 403) return { code: 'UNAUTHORIZED', retriable: false };
  if (status === 404 || status === 405) return { code: 'NOT_FOUND', retriable: false };
  if (status === 408) return { code: 'TIMEOUT', retriable: true };
  if (status === 429) return { code: 'OVERLOADED', retriable: true };
  if (status === 400 || status === 413 || status === 415 || status === 422) {
    return { code: 'INVALID_REQUEST', retriable: false };
  }
  if (status === 409) return { code: 'UPSTREAM_ERROR', retriable: true };
  if (status >= 500) return { code: 'UPSTREAM_ERROR', retriable: true };
  return { code: 'UPSTREAM_ERROR', retriable: false };
}

/** Upstream messages are kept to this many characters (an error event may be up to a whole SSE line). */
const MAX_MESSAGE = 2000;

export interface TgiErrorContext {
  status?: number;
  retryAfterMs?: number;
  requestId?: string;
}

/** `{error, error_type}` (in a body or an SSE event) → OrchError. */
export function tgiError(
  message: string,
  errorType: string | undefined,
  ctx: TgiErrorContext = {},
): OrchError {
  const type = errorType ?? errorTypeFromMessage(message);
  const known = type === undefined ? undefined : BY_TYPE[type];
  const status = ctx.status ?? known?.status;
  const fallback =
    status === undefined ? { code: 'UPSTREAM_ERROR' as const, retriable: true } : codeForStatus(status);
  const code = known?.code ?? fallback.code;
  const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
  return new OrchError(code, text || `TGI error (${type ?? status ?? 'unknown'})`, {
    retriable: known?.retriable ?? fallback.retriable,
    ...(status !== undefined ? { status } : {}),
    ...(ctx.retryAfterMs !== undefined ? { retryAfterMs: ctx.retryAfterMs } : {}),
    ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
    ...(type !== undefined ? { upstreamType: type } : {}),
    ...(code === 'INVALID_REQUEST' ? { field: fieldFromMessage(message) } : {}),
  });
}

// TGI's parameter names that differ from orch's task fields.
const TASK_FIELD: Record<string, string> = {
  max_new_tokens: 'max_tokens',
  top_n_tokens: 'top_logprobs',
  inputs: 'prompt',
  grammar: 'response_format',
};

/** TGI names the offending parameter in backticks (`` `top_p` must be ... ``); surface it as orch's field. */
function fieldFromMessage(message: string): string | undefined {
  const name = /`([a-z_]+)`/.exec(message)?.[1];
  return name === undefined ? undefined : (TASK_FIELD[name] ?? name);
}
