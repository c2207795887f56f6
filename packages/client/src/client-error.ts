// Daemon error bodies → OrchError with the daemon's code. The daemon answers
// `{error:{code,message,retriable,field?,retry_after_ms?}}`; admission rejections may also come flat
// (`{code,message,retriable,retry_after_ms,policy_label}`). Codes outside the contract's list (e.g.
// POOL_UNREADY, QUEUE_FULL_DROP_LRU) are kept as `upstreamType` on the nearest contract code.
import { ERROR_CODES, type ErrorCode, OrchError } from '@orch/adapter-api';
import { z } from 'zod';

const ErrorFields = z.looseObject({
  code: z.string(),
  message: z.string().optional(),
  retriable: z.boolean().optional(),
  field: z.string().optional(),
  retry_after_ms: z.number().nonnegative().optional(),
  policy_label: z.string().optional(),
});

const NestedErrorBody = z.looseObject({ error: ErrorFields });
type ErrorFields = z.infer<typeof ErrorFields>;

function errorFields(parsed: unknown): ErrorFields | undefined {
  const nested = NestedErrorBody.safeParse(parsed);
  if (nested.success) return nested.data.error;
  const flat = ErrorFields.safeParse(parsed);
  return flat.success ? flat.data : undefined;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 400 || status === 413 || status === 422) return 'INVALID_REQUEST';
  if (status === 401 || status === 403) return 'UNAUTHORIZED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'OVERLOADED';
  if (status === 504) return 'TIMEOUT';
  if (status === 499) return 'CANCELLED';
  return status >= 500 ? 'UPSTREAM_ERROR' : 'INVALID_REQUEST';
}

function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/** Seconds, or an HTTP date, as milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function errorFromResponse(
  status: number,
  bodyText: string,
  headers: Record<string, string | string[] | undefined>,
): OrchError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  const fields = errorFields(parsed);
  const raw = fields?.code;
  const code = raw !== undefined && isErrorCode(raw) ? raw : codeForStatus(status);
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const backoff = Number(header('x-backoff-ms'));
  const retryAfterMs =
    fields?.retry_after_ms ??
    (Number.isFinite(backoff) && backoff > 0 ? backoff : parseRetryAfter(header('retry-after')));
  const message = fields?.message ?? (bodyText.trim() || `The daemon answered HTTP ${status}`);
  const requestId = header('x-correlation-id');
  return new OrchError(code, message, {
    status,
    ...(fields?.retriable !== undefined ? { retriable: fields.retriable } : {}),
    ...(fields?.field !== undefined ? { field: fields.field } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(raw !== undefined && raw !== code ? { upstreamType: raw } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
  });
}
