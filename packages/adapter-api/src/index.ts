export type {
  AdapterProps,
  AdapterStats,
  Capabilities,
  GenerateOptions,
  GenerateResult,
  HealthReport,
  HealthState,
  SubmitOptions,
  WorkerAdapter,
} from './adapter.js';
export { AdapterBase, type SourceContext } from './adapter-base.js';
export { Canceller, type CancelSignal } from './canceller.js';
export { errorFromEvent } from './error-from-event.js';
export {
  cancelledError,
  ERROR_CODES,
  type ErrorCode,
  isOrchError,
  OrchError,
  type OrchErrorOptions,
  type RedactedRequest,
  type TimeoutPhase,
  toOrchError,
} from './errors.js';
export {
  type EndEvent,
  EndEventSchema,
  type ErrorEvent,
  ErrorEventSchema,
  FINISH_REASONS,
  type FinishReason,
  MetricsSchema,
  type SourceEvent,
  type SourceYield,
  type StartedEvent,
  StartedEventSchema,
  type StreamMetrics,
  type TokenEvent,
  TokenEventSchema,
  type TokenEventType,
  type TokenTextEvent,
  TokenTextEventSchema,
  type TopLogprob,
  TopLogprobSchema,
  type Usage,
  UsageSchema,
} from './events.js';
export { flatUuid } from './flat-uuid.js';
export { collectResult } from './generate.js';
export { StatsTracker } from './stats-tracker.js';
export {
  invalidRequestFromZod,
  issuePath,
  type Message,
  MessageSchema,
  parseTask,
  type ResponseFormat,
  ResponseFormatSchema,
  type TaskRequest,
  type TaskRequestInput,
  TaskRequestSchema,
  type Timeouts,
  TimeoutsSchema,
  type Tool,
  type ToolCall,
  ToolChoiceSchema,
  ToolSchema,
  withTimeouts,
} from './task.js';
export {
  createTokenStream,
  type TerminalEvent,
  TokenStream,
  type TokenStreamEventMap,
  type TokenStreamHooks,
  type TokenStreamInit,
} from './token-stream.js';
