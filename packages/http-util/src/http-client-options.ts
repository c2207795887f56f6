import type { CancelSignal } from '@orch/adapter-api';
import type { Dispatcher } from 'undici';
import type { BreakerOptions } from './circuit-breaker.js';
import type { MapErrorResponse } from './error-response.js';
import type { HttpHooks } from './hooks.js';
import type { ApiKeySource } from './load-api-key.js';
import type { SchemaLike } from './parse-json.js';
import type { RetryPolicyOptions } from './retry-policy.js';

export interface HttpClientOptions {
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`; a function is asked once per call (key rotation). */
  apiKey?: ApiKeySource;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Fields added to every JSON object body (also to ready-made JSON text) where the body lacks them. */
  extraBody?: Record<string, unknown>;
  /** Caller-owned undici dispatcher (custom client, MockAgent); `close()` leaves it open. */
  dispatcher?: Dispatcher;
  /** Per-origin pool size for the built-in pool. Default 64. */
  connections?: number;
  keepAliveTimeoutMs?: number;
  /** Default 10000. Only for the built-in pool. */
  connectTimeoutMs?: number;
  /** Until the response headers arrive. Default 60000. */
  headersTimeoutMs?: number;
  /** Longest silence between body chunks. Default 300000. */
  bodyTimeoutMs?: number;
  /** SSE line/event limit. Default 1 MiB. */
  maxLineBytes?: number;
  /** Largest JSON response body accepted by requestJson. Default 32 MiB. */
  maxResponseBytes?: number;
  retry?: RetryPolicyOptions | false;
  breaker?: BreakerOptions | false;
  hooks?: HttpHooks;
  /** Engine-specific error body mapping; return undefined to fall back to classifyStatus. */
  mapErrorResponse?: MapErrorResponse;
}

export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string>;
  requestId?: string;
  body: T;
}

export interface RequestJsonInit<T> {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: CancelSignal;
  schema?: SchemaLike<T>;
  /** Deadline per attempt (headers and body); a TIMEOUT ('total') is retried like other transient errors. */
  timeoutMs?: number;
  /** false: a single attempt. */
  retry?: boolean;
  headers?: Record<string, string>;
}

export interface OpenSseInit {
  body: unknown;
  signal?: CancelSignal;
  headers?: Record<string, string>;
  /** Overrides the client's headersTimeoutMs for this stream. */
  headersTimeoutMs?: number;
  /** Overrides the client's bodyTimeoutMs (idle between chunks) for this stream. */
  bodyTimeoutMs?: number;
}

export interface ProbeResult {
  status: number;
  headers: Record<string, string>;
  bodyText: string;
  latencyMs: number;
}
