import { z } from 'zod';
import { ERROR_CODES } from './errors.js';

export const FINISH_REASONS = ['length', 'stop', 'stop_sequence', 'tool_calls'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

export const StartedEventSchema = z.object({
  type: z.literal('started'),
  job_id: z.string(),
  engine: z.string(),
  engine_version: z.string(),
  model: z.string(),
  replica_id: z.string().optional(),
  /** Set by orchestratord: the pool of the replica that served the job (replica ids are per pool). */
  pool_id: z.string().optional(),
  queue_position: z.number().int().nonnegative().optional(),
  predicted_start_ms: z.number().nonnegative().optional(),
});

/**
 * One alternative the engine considered at a token position. `logprob` is nullable for the same reason
 * as the token's own: engines serialise a NaN as null, and inventing a number would lie about it.
 */
export const TopLogprobSchema = z.object({
  id: z.number().int().optional(),
  text: z.string(),
  logprob: z.number().nullable(),
  special: z.boolean().optional(),
});

export const TokenTextEventSchema = z.object({
  type: z.literal('token'),
  job_id: z.string(),
  index: z.number().int().nonnegative(),
  text: z.string(),
  token_id: z.number().int().optional(),
  logprob: z.number().nullable().optional(),
  special: z.boolean().optional(),
  /** Only when the task asked for `top_logprobs`: the engine's alternatives, most likely first. */
  top_logprobs: z.array(TopLogprobSchema).optional(),
});

export const UsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative().optional(),
  completion_tokens: z.number().int().nonnegative(),
});

export const MetricsSchema = z.object({
  ttft_ms: z.number().nonnegative(),
  total_ms: z.number().nonnegative(),
  tokens_per_second: z.number().nonnegative(),
});

export const EndEventSchema = z.object({
  type: z.literal('end'),
  job_id: z.string(),
  finish_reason: z.enum(FINISH_REASONS),
  text: z.string(),
  tool_calls: z
    .array(
      z.object({
        id: z.string(),
        type: z.literal('function'),
        function: z.object({ name: z.string(), arguments: z.string() }),
      }),
    )
    .optional(),
  usage: UsageSchema,
  metrics: MetricsSchema,
});

export const ErrorEventSchema = z.object({
  type: z.literal('error'),
  job_id: z.string(),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retriable: z.boolean(),
  status: z.number().int().optional(),
  retry_after_ms: z.number().nonnegative().optional(),
  timeout_phase: z.enum(['connect', 'headers', 'first_token', 'idle', 'total']).optional(),
  tokens_emitted: z.number().int().nonnegative(),
});

export const TokenEventSchema = z.discriminatedUnion('type', [
  StartedEventSchema,
  TokenTextEventSchema,
  EndEventSchema,
  ErrorEventSchema,
]);

export type StartedEvent = z.infer<typeof StartedEventSchema>;
export type TokenTextEvent = z.infer<typeof TokenTextEventSchema>;
export type EndEvent = z.infer<typeof EndEventSchema>;
export type ErrorEvent = z.infer<typeof ErrorEventSchema>;
export type Usage = z.infer<typeof UsageSchema>;
export type TopLogprob = z.infer<typeof TopLogprobSchema>;
export type StreamMetrics = z.infer<typeof MetricsSchema>;

/** The discriminated union every adapter streams: `started → token* → (end | error)`. */
export type TokenEvent = StartedEvent | TokenTextEvent | EndEvent | ErrorEvent;
export type TokenEventType = TokenEvent['type'];

/**
 * What an adapter's source yields. The stream fills in `job_id`, token `index`, `tokens_emitted`
 * and the metrics, so the invariants live in one place (createTokenStream), not in every adapter.
 */
export type SourceEvent =
  | { type: 'started'; engine_version?: string; model?: string; replica_id?: string }
  | {
      type: 'token';
      text: string;
      token_id?: number;
      logprob?: number | null;
      special?: boolean;
      top_logprobs?: TopLogprob[];
    }
  | {
      type: 'end';
      finish_reason: FinishReason;
      text?: string;
      tool_calls?: EndEvent['tool_calls'];
      usage?: Partial<Usage>;
    };

/** A source may yield one event or all the events one network read produced. */
export type SourceYield = SourceEvent | readonly SourceEvent[];
