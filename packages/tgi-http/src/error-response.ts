import { OrchError } from '@orch/adapter-api';
import { parseRetryAfter } from '@orch/http-util';
import { tgiError } from './tgi-error.js';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  bodyText: string;
}

const DEFAULT_TEXT: Record<number, string> = {
  401: 'TGI refused the API key (401)',
  403: 'TGI refused the request (403)',
  404: 'TGI has no such route (404)',
  405: 'TGI does not allow this method here (405)',
  424: 'TGI failed during generation (424)',
  429: 'Model is overloaded',
  503: 'TGI is unhealthy (503)',
};

/**
 * Maps a non-2xx TGI response to an OrchError. Handler errors are JSON `{error, error_type}`;
 * axum's body rejections (400/413/415/422) are plain text; 401/404/405 have empty bodies.
 */
export function mapTgiErrorResponse(res: ErrorResponse): OrchError {
  const retryAfterMs = parseRetryAfter(res.headers);
  const requestId = res.headers['x-request-id'];
  const ctx = {
    // A TGI error inside a 2xx answer: TGI's own status for its error_type applies, not the 200.
    ...(res.status >= 400 ? { status: res.status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
  };
  const text = res.bodyText.trim();
  const json = text.startsWith('{') ? safeParse(text) : undefined;
  if (json !== undefined) {
    const { error, error_type: errorType } = json;
    if (typeof error === 'string') {
      return tgiError(error, typeof errorType === 'string' ? errorType : undefined, ctx);
    }
    if (typeof error === 'object' && error !== null) {
      const message = (error as Record<string, unknown>).message;
      if (typeof message === 'string') return tgiError(message, undefined, ctx);
    }
  }
  if (res.status < 400) {
    // A success status with a body that is neither a stream nor a TGI error: something in between
    // (a proxy, a wrong URL) answered, not TGI.
    const type = res.headers['content-type'] ?? 'no content-type';
    return new OrchError('PROTOCOL', `Expected an event stream, got HTTP ${res.status} with ${type}`, {
      retriable: false,
      status: res.status,
      ...(requestId !== undefined ? { requestId } : {}),
    });
  }
  const message = text ? text : (DEFAULT_TEXT[res.status] ?? `TGI answered HTTP ${res.status}`);
  // Plain text bodies carry no error_type: the status decides, with TGI's own 429 meaning "overloaded".
  return tgiError(message, res.status === 429 ? 'overloaded' : undefined, ctx);
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
