// One error class for the whole project. Adapters, the transport and the daemon all speak it, so
// a caller can branch on `code` without knowing which engine or which copy of this package threw.

export const ERROR_CODES = [
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'RATE_LIMITED',
  'OVERLOADED',
  'MODEL_LOADING',
  'UPSTREAM_ERROR',
  'TIMEOUT',
  'NETWORK',
  'CANCELLED',
  'PROTOCOL',
  'UNSUPPORTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Which deadline fired, for `TIMEOUT`. */
export type TimeoutPhase = 'connect' | 'headers' | 'first_token' | 'idle' | 'total';

/** What a hook or log line may see of a request: secrets already masked. */
export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface OrchErrorOptions {
  retriable?: boolean;
  status?: number;
  retryAfterMs?: number;
  requestId?: string;
  headers?: Record<string, string>;
  request?: RedactedRequest;
  /** The field path, for INVALID_REQUEST. */
  field?: string;
  timeoutPhase?: TimeoutPhase;
  /** The upstream's own error type (e.g. TGI's `error_type`). */
  upstreamType?: string;
  cause?: unknown;
}

const BRAND = Symbol.for('orch.error');

/** Codes that are worth another attempt unless the caller says otherwise. */
const RETRIABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set([
  'RATE_LIMITED',
  'OVERLOADED',
  'MODEL_LOADING',
  'UPSTREAM_ERROR',
  'NETWORK',
  'TIMEOUT',
]);

export class OrchError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly requestId?: string;
  readonly headers?: Record<string, string>;
  readonly request?: RedactedRequest;
  readonly field?: string;
  readonly timeoutPhase?: TimeoutPhase;
  readonly upstreamType?: string;

  constructor(code: ErrorCode, message: string, options: OrchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OrchError';
    this.code = code;
    this.retriable = options.retriable ?? RETRIABLE_BY_DEFAULT.has(code);
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.headers !== undefined) this.headers = options.headers;
    if (options.request !== undefined) this.request = options.request;
    if (options.field !== undefined) this.field = options.field;
    if (options.timeoutPhase !== undefined) this.timeoutPhase = options.timeoutPhase;
    if (options.upstreamType !== undefined) this.upstreamType = options.upstreamType;
  }

  // A brand instead of prototype identity: two installed copies of this package still agree.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  get [BRAND](): true {
    return true;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retriable: this.retriable,
      status: this.status,
      retry_after_ms: this.retryAfterMs,
      request_id: this.requestId,
      field: this.field,
      timeout_phase: this.timeoutPhase,
    };
  }
}

export function isOrchError(value: unknown): value is OrchError {
  return value instanceof OrchError;
}

/** Anything thrown becomes an OrchError; an abort becomes CANCELLED, anything unknown INTERNAL. */
export function toOrchError(value: unknown): OrchError {
  if (isOrchError(value)) return value;
  if (value instanceof Error) {
    if (value.name === 'AbortError') {
      const reason = (value as Error & { cause?: unknown }).cause;
      if (isOrchError(reason)) return reason;
      return new OrchError('CANCELLED', 'The job was cancelled', { cause: value });
    }
    return new OrchError('INTERNAL', value.message, { cause: value, retriable: false });
  }
  return new OrchError('INTERNAL', String(value), { retriable: false });
}

export function cancelledError(message = 'The job was cancelled'): OrchError {
  return new OrchError('CANCELLED', message, { retriable: false });
}
