export { abortableSleep } from './abortable-sleep.js';
export { type AttemptDeadline, attemptDeadline } from './attempt-deadline.js';
export { type BreakerOptions, type BreakerState, CircuitBreaker } from './circuit-breaker.js';
export { classifyStatus, type StatusClass } from './classify-status.js';
export { drainAfterEnd } from './drain-after-end.js';
export { type ErrorResponseInfo, errorFromResponse, type MapErrorResponse } from './error-response.js';
export { findRequestId, flattenHeaders, mergeHeaders } from './headers.js';
export {
  type ChunkHookInfo,
  callHook,
  type HttpHooks,
  type RequestHookInfo,
  type ResponseHookInfo,
  type RetryHookInfo,
  type StreamCompleteHookInfo,
} from './hooks.js';
export { HttpClient } from './http-client.js';
export type {
  HttpClientOptions,
  JsonResponse,
  OpenSseInit,
  ProbeResult,
  RequestJsonInit,
} from './http-client-options.js';
export { serializeJsonBody } from './json-body.js';
export { type ApiKeySource, loadApiKey } from './load-api-key.js';
export { parseJson, type SchemaLike } from './parse-json.js';
export { probeHealth, roundMs } from './probe-health.js';
export { redactHeaders, redactSecret, redactText, redactUrl } from './redact.js';
export { type HeaderBag, parseRetryAfter } from './retry-after.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { RETRY_DEFAULTS, type RetryPolicyOptions, retryDelay } from './retry-policy.js';
export { createSeededRandom } from './seeded-random.js';
export { type SseMessage, SseReader, type SseStream, type SseStreamInit } from './sse-stream.js';
export { mapTransportError } from './transport-error.js';
