import { type ErrorCode, OrchError } from '@orch/adapter-api';
import { classifyStatus, type ErrorResponseInfo, parseRetryAfter } from '@orch/http-util';

const MAX_MESSAGE = 1000;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clip(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
}

/** The fields HF and its providers put in error bodies, whatever the shape. */
export interface HfErrorBody {
  message: string | undefined;
  /** Seconds until a loading model is expected to be up (serverless 503). */
  estimatedTime: number | undefined;
  type: string | undefined;
}

/**
 * Reads `{"error": "..."}` (HF Inference API), `{"error": {"message", "type", "code"}}` (OpenAI-style
 * providers), `{"message"}` / `{"detail"}` (some providers); anything else yields no message.
 */
export function readHfErrorBody(value: unknown): HfErrorBody {
  const out: HfErrorBody = { message: undefined, estimatedTime: undefined, type: undefined };
  if (!isObj(value)) return out;
  const { error } = value;
  if (typeof error === 'string') out.message = error;
  else if (isObj(error)) {
    if (typeof error.message === 'string') out.message = error.message;
    if (typeof error.type === 'string') out.type = error.type;
  }
  if (out.message === undefined) {
    if (typeof value.message === 'string') out.message = value.message;
    else if (typeof value.detail === 'string') out.message = value.detail;
  }
  if (typeof value.error_type === 'string') out.type = value.error_type;
  const eta = value.estimated_time;
  if (typeof eta === 'number' && Number.isFinite(eta) && eta >= 0) out.estimatedTime = eta;
  return out;
}

function parseJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** True for the serverless "model is loading" answer. */
export function isLoadingBody(status: number, body: HfErrorBody): boolean {
  if (status !== 503) return false;
  return body.estimatedTime !== undefined || /is currently loading|loading/i.test(body.message ?? '');
}

/** Upstream type marking a MODEL_LOADING error the loading waiter has not yet given up on. */
export const LOADING_UPSTREAM_TYPE = 'model_loading';

function codeFor(status: number): { code: ErrorCode; retriable: boolean } {
  // 402: the account's credits are exhausted; retrying cannot help until someone pays.
  if (status === 402) return { code: 'UNAUTHORIZED', retriable: false };
  return classifyStatus(status);
}

/**
 * A non-2xx answer of the HF router, serverless API or an endpoint → OrchError. 401/403/402 →
 * UNAUTHORIZED, 404 → NOT_FOUND, 429 → RATE_LIMITED (Retry-After kept), 503 loading → MODEL_LOADING
 * (not retried by the transport: the loading waiter owns that wait), other 5xx retriable.
 */
export function mapHfErrorResponse(res: ErrorResponseInfo): OrchError | undefined {
  if (res.status < 400) return undefined;
  const body = readHfErrorBody(parseJson(res.bodyText));
  const retryAfterMs = parseRetryAfter(res.headers);
  const requestId = res.headers['x-request-id'];
  const common = {
    status: res.status,
    ...(requestId !== undefined ? { requestId } : {}),
    ...(body.type !== undefined ? { upstreamType: body.type } : {}),
  };
  if (isLoadingBody(res.status, body)) {
    const eta = body.estimatedTime === undefined ? retryAfterMs : Math.ceil(body.estimatedTime * 1000);
    return new OrchError('MODEL_LOADING', clip(body.message ?? 'The model is loading'), {
      ...common,
      retriable: false,
      upstreamType: LOADING_UPSTREAM_TYPE,
      ...(eta !== undefined ? { retryAfterMs: eta } : {}),
    });
  }
  const { code, retriable } = codeFor(res.status);
  const text = body.message ?? res.bodyText.trim();
  const message = text ? clip(text) : `Hugging Face answered HTTP ${res.status}`;
  return new OrchError(code, message, {
    ...common,
    retriable,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/**
 * An error event inside a 200 stream (`data: {"error": ...}`, or `event: error`). The status a
 * provider puts in it (`error.code` / `status`) picks the code; without one it is an upstream failure.
 */
export function hfStreamError(data: string): OrchError {
  const value = parseJson(data);
  const body = readHfErrorBody(value);
  let status: number | undefined;
  if (isObj(value)) {
    const e = value.error;
    const candidates = [
      isObj(e) ? e.code : undefined,
      isObj(e) ? e.status : undefined,
      value.status,
      value.code,
    ];
    for (const c of candidates) {
      if (typeof c === 'number' && Number.isInteger(c) && c >= 400 && c < 600) {
        status = c;
        break;
      }
    }
  }
  const { code, retriable } =
    status === undefined ? { code: 'UPSTREAM_ERROR' as const, retriable: true } : codeFor(status);
  const message =
    body.message ?? (data.trim() ? clip(data.trim()) : 'The provider reported an error mid-stream');
  return new OrchError(code, clip(message), {
    retriable,
    ...(status !== undefined ? { status } : {}),
    ...(body.type !== undefined ? { upstreamType: body.type } : {}),
  });
}
