import { OrchError, type RedactedRequest } from '@orch/adapter-api';
import { classifyStatus } from './classify-status.js';
import { redactHeaders, redactText } from './redact.js';
import { parseRetryAfter } from './retry-after.js';

export interface ErrorResponseInfo {
  status: number;
  headers: Record<string, string>;
  bodyText: string;
}

export type MapErrorResponse = (res: ErrorResponseInfo) => OrchError | undefined;

const MESSAGE_EXCERPT = 300;

function excerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MESSAGE_EXCERPT ? `${trimmed.slice(0, MESSAGE_EXCERPT)}…` : trimmed;
}

/**
 * The OrchError for a non-2xx response: the engine's own mapping first, else the generic status
 * classification. Either way the error carries the status, Retry-After, request id, redacted
 * response headers and the redacted request, unless the engine mapping already set them.
 */
export function errorFromResponse(
  res: ErrorResponseInfo,
  ctx: {
    request: RedactedRequest;
    requestId?: string | undefined;
    map?: MapErrorResponse | undefined;
    secrets?: readonly string[];
  },
): OrchError {
  let mapped: OrchError | undefined;
  try {
    mapped = ctx.map?.(res);
  } catch {
    // A broken engine mapping must not hide the upstream's answer: fall back to the generic one.
    mapped = undefined;
  }
  const retryAfterMs = parseRetryAfter(res.headers);
  const headers = redactHeaders(res.headers, ctx.secrets);
  if (mapped) {
    return new OrchError(mapped.code, mapped.message, {
      retriable: mapped.retriable,
      status: mapped.status ?? res.status,
      retryAfterMs: mapped.retryAfterMs ?? retryAfterMs,
      requestId: mapped.requestId ?? ctx.requestId,
      headers: mapped.headers ?? headers,
      request: mapped.request ?? ctx.request,
      field: mapped.field,
      timeoutPhase: mapped.timeoutPhase,
      upstreamType: mapped.upstreamType,
      cause: mapped.cause,
    });
  }
  const { code, retriable } = classifyStatus(res.status);
  const body = redactText(excerpt(res.bodyText), ctx.secrets);
  return new OrchError(code, `Upstream answered HTTP ${res.status}${body ? `: ${body}` : ''}`, {
    retriable,
    status: res.status,
    retryAfterMs,
    requestId: ctx.requestId,
    headers,
    request: ctx.request,
  });
}
