// TGI's GenerateRequest → TaskRequest, and TGI's `{error, error_type}` errors. Validation failures
// are 422 "Input validation error: ..." naming the parameter, as TGI clients expect.
import type { ServerResponse } from 'node:http';
import {
  type ErrorCode,
  isOrchError,
  OrchError,
  type ResponseFormat,
  type TaskRequestInput,
  toOrchError,
} from '@orch/adapter-api';
import { z } from 'zod';
import { backoffHeaders, sendJson } from '../respond.js';
import { routableModel } from './job-stream.js';
import { compatStatus } from './openai-errors.js';

const Grammar = z.discriminatedUnion('type', [
  z.object({
    type: z.enum(['json', 'json_object']),
    value: z.union([z.record(z.string(), z.unknown()), z.string()]),
  }),
  z.object({ type: z.literal('regex'), value: z.string().min(1) }),
  z.object({
    type: z.literal('json_schema'),
    value: z.object({ name: z.string().nullable().optional(), schema: z.record(z.string(), z.unknown()) }),
  }),
]);

/**
 * TGI's own limit (`--max-top-n-tokens`) defaults to 5; the daemon's is the task's, so engines that
 * can give more (and a TGI replica started with a higher limit) are not held to TGI's default.
 */
const MAX_TOP_N_TOKENS = 20;
// TGI's own wording, value included.
const topNError = (issue: { input?: unknown }): string =>
  `\`top_n_tokens\` must be >= 0 and <= ${MAX_TOP_N_TOKENS}. Given: ${String(issue.input)}`;

const Parameters = z.object({
  best_of: z.literal(1, { message: '`best_of` != 1 is not supported' }).nullable().optional(),
  decoder_input_details: z.boolean().optional(),
  details: z.boolean().optional(),
  do_sample: z.boolean().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  grammar: Grammar.nullable().optional(),
  max_new_tokens: z
    .number()
    .int()
    .positive('`max_new_tokens` must be strictly positive')
    .nullable()
    .optional(),
  repetition_penalty: z
    .number()
    .positive('`repetition_penalty` must be strictly positive')
    .nullable()
    .optional(),
  return_full_text: z.boolean().nullable().optional(),
  seed: z.number().int().nonnegative().nullable().optional(),
  stop: z.array(z.string()).max(16).optional(),
  temperature: z.number().positive('`temperature` must be strictly positive').max(100).nullable().optional(),
  top_k: z.number().int().positive('`top_k` must be strictly positive').nullable().optional(),
  top_n_tokens: z
    .number()
    .int()
    .min(0, { error: topNError })
    .max(MAX_TOP_N_TOKENS, { error: topNError })
    .nullable()
    .optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  // Accepted and not applied: they do not change which tokens a client can rely on receiving.
  truncate: z.number().int().positive().nullable().optional(),
  typical_p: z.number().gt(0).lt(1).nullable().optional(),
  watermark: z.boolean().optional(),
  adapter_id: z.string().nullable().optional(),
});

export const GenerateBody = z.object({
  inputs: z.string().min(1, '`inputs` cannot be empty'),
  parameters: Parameters.nullable().optional(),
  stream: z.boolean().optional(),
  /** Not TGI's: lets a TGI client pick among the daemon's models. */
  model: z.string().nullable().optional(),
});
export type GenerateBody = z.infer<typeof GenerateBody>;
export type GenerateParameters = z.infer<typeof Parameters>;

function grammarFormat(g: z.infer<typeof Grammar>): ResponseFormat {
  if (g.type === 'regex') return { type: 'regex', pattern: g.value };
  if (g.type === 'json_schema') return { type: 'json', schema: g.value.schema };
  if (typeof g.value === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(g.value);
    } catch {
      throw tgiValidation('parameters.grammar.value', 'grammar is not valid: the value is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw tgiValidation('parameters.grammar.value', 'grammar is not valid: the value is not an object');
    }
    return { type: 'json', schema: parsed as Record<string, unknown> };
  }
  return { type: 'json', schema: g.value };
}

export function tgiValidation(field: string, message: string): OrchError {
  return new OrchError('INVALID_REQUEST', message, { field, status: 422, retriable: false });
}

const invalid = tgiValidation;

export function parseGenerate(raw: unknown, streaming: boolean): GenerateBody {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid('(body)', 'The body must be a JSON object');
  }
  const parsed = GenerateBody.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issue.path.map(String).join('.') : '(body)';
    const message = issue?.message.includes('`')
      ? issue.message
      : `\`${field}\`: ${issue?.message ?? 'invalid'}`;
    throw invalid(field, message);
  }
  if (streaming && parsed.data.parameters?.decoder_input_details) {
    throw invalid(
      'parameters.decoder_input_details',
      '`decoder_input_details` == true is not supported when streaming tokens',
    );
  }
  return parsed.data;
}

export function generateToTask(body: GenerateBody): TaskRequestInput {
  const t: TaskRequestInput = { prompt: body.inputs };
  const model = routableModel(body.model ?? body.parameters?.adapter_id);
  if (model !== undefined) t.model = model;
  const p = body.parameters;
  if (!p) {
    // TGI samples when `parameters` is absent altogether.
    t.do_sample = true;
    return t;
  }
  if (p.max_new_tokens != null) t.max_tokens = p.max_new_tokens;
  if (p.temperature != null) t.temperature = p.temperature;
  if (p.top_p != null) t.top_p = p.top_p;
  if (p.top_k != null) t.top_k = p.top_k;
  if (p.repetition_penalty != null) t.repetition_penalty = p.repetition_penalty;
  if (p.frequency_penalty != null) t.frequency_penalty = p.frequency_penalty;
  if (p.seed != null) t.seed = Number.isSafeInteger(p.seed) ? p.seed : BigInt(p.seed).toString();
  if (p.stop?.length) t.stop = p.stop.filter((s) => s !== '');
  if (t.stop?.length === 0) delete t.stop;
  if (p.do_sample !== undefined) t.do_sample = p.do_sample;
  if (p.grammar) t.response_format = grammarFormat(p.grammar);
  if (p.top_n_tokens) t.top_logprobs = p.top_n_tokens;
  return t;
}

const ERROR_TYPES: Partial<Record<ErrorCode, string>> = {
  INVALID_REQUEST: 'validation',
  UNSUPPORTED: 'validation',
  NOT_FOUND: 'not_found',
  RATE_LIMITED: 'overloaded',
  OVERLOADED: 'overloaded',
  MODEL_LOADING: 'overloaded',
  UNAUTHORIZED: 'unauthorized',
  NETWORK: 'incomplete_generation',
  PROTOCOL: 'incomplete_generation',
  TIMEOUT: 'incomplete_generation',
  CANCELLED: 'cancelled',
};

export function tgiErrorType(code: ErrorCode): string {
  return ERROR_TYPES[code] ?? 'generation';
}

export function tgiErrorBody(code: ErrorCode, message: string): { error: string; error_type: string } {
  const type = tgiErrorType(code);
  return { error: type === 'validation' ? `Input validation error: ${message}` : message, error_type: type };
}

/** TGI's statuses: 422 validation, 429 overloaded (never 503: see openai-errors.ts), 424 generation. */
export function tgiStatus(err: OrchError): number {
  const type = tgiErrorType(err.code);
  if (type === 'validation') return 422;
  if (type === 'overloaded') return 429;
  if (err.code === 'UPSTREAM_ERROR') return 424;
  return compatStatus(err);
}

export function sendTgiError(res: ServerResponse, value: unknown): void {
  const err = isOrchError(value) ? value : toOrchError(value);
  const status = tgiStatus(err);
  sendJson(res, status, tgiErrorBody(err.code, err.message), backoffHeaders(err, status));
}
