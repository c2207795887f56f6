export {
  type ErrorCode,
  isOrchError,
  OrchError,
  type TaskRequestInput,
  type TokenEvent,
} from '@orch/adapter-api';
export { errorFromResponse, parseRetryAfter } from './client-error.js';
export {
  type BatchResponse,
  BatchResponseSchema,
  type CallOptions,
  type GenerateOutput,
  type HealthStatus,
  type NativeTask,
  OrchClient,
  type OrchClientOptions,
  type Placement,
  type SubmitResponse,
  SubmitResponseSchema,
  type TaskState,
} from './orch-client.js';
export { readTokenEvents } from './sse-events.js';
