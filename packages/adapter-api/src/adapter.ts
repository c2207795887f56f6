import type { CancelSignal } from './canceller.js';
import type { EndEvent, FinishReason, StreamMetrics, Usage } from './events.js';
import type { TaskRequest, TaskRequestInput } from './task.js';
import type { TokenStream } from './token-stream.js';

export type HealthState = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthReport {
  state: HealthState;
  /** The engine process answers at all. */
  live: boolean;
  /** The engine can take a job now. */
  ready: boolean;
  message?: string;
  latencyMs: number;
  /** Epoch ms. */
  checkedAt: number;
}

export interface Capabilities {
  chat: boolean;
  tools: boolean;
  grammar: boolean;
  logprobs: boolean;
  streaming: boolean;
}

export interface AdapterProps {
  engine: string;
  engineVersion: string;
  modelId: string;
  maxInputTokens?: number;
  maxTotalTokens?: number;
  slotsTotal?: number;
  slotsFree?: number;
  capabilities: Capabilities;
}

export interface AdapterStats {
  total_requests: number;
  successful_requests: number;
  failed_requests: number;
  cancelled_requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  in_flight: number;
  /** Epoch ms, or null before the first request. */
  last_request_at: number | null;
  created_at: number;
}

export interface SubmitOptions {
  /** Cancels the job when it aborts: an AbortSignal, or anything of its shape (a Canceller). */
  signal?: CancelSignal;
}

export interface GenerateOptions extends SubmitOptions {
  /** Ask the engine for a non-streaming call where it has one. Default: stream. */
  stream?: boolean;
}

export interface GenerateResult {
  job_id: string;
  text: string;
  finish_reason: FinishReason;
  tool_calls?: EndEvent['tool_calls'];
  usage: Usage;
  metrics: StreamMetrics;
  engine: string;
  engine_version: string;
  model: string;
}

/** The contract every engine implements (see specs/adapter-contract.md). */
export interface WorkerAdapter {
  readonly engine: string;
  readonly id: string;
  /** Validates the task (throws INVALID_REQUEST naming the field) and starts the job. */
  submit(task: TaskRequestInput | TaskRequest, options?: SubmitOptions): TokenStream;
  generate(task: TaskRequestInput | TaskRequest, options?: GenerateOptions): Promise<GenerateResult>;
  health(options?: SubmitOptions): Promise<HealthReport>;
  props(options?: SubmitOptions): Promise<AdapterProps>;
  /** Cancels a running job; false if no such job is running. */
  cancel(jobId: string): boolean;
  stats(): AdapterStats;
  close(): Promise<void>;
}
