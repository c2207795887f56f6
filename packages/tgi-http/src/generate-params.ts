import { OrchError, type ResponseFormat, type TaskRequest } from '@orch/adapter-api';
import { rawSeed, stringifyWithRawField } from './raw-json.js';

/** TGI's default `--max-stop-sequences`; /info reports the server's own value. */
export const DEFAULT_MAX_STOP_SEQUENCES = 4;

export interface TgiGrammar {
  type: 'json' | 'regex';
  value: unknown;
}

/** The `parameters` of TGI's GenerateRequest that orch sets (seed is written raw, see raw-json.ts). */
export interface GenerateParameters {
  do_sample: boolean;
  details: boolean;
  max_new_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  repetition_penalty?: number;
  frequency_penalty?: number;
  stop?: string[];
  top_n_tokens?: number;
  grammar?: TgiGrammar;
}

export interface GenerateParamsOptions {
  maxStopSequences?: number;
  /**
   * Extra `parameters` fields, e.g. truncate, typical_p, watermark, adapter_id. Like the transport's
   * extraBody they only add what orch did not set: the mapped values always win.
   */
  extraParameters?: Record<string, unknown>;
}

function invalid(field: string, message: string): OrchError {
  return new OrchError('INVALID_REQUEST', message, { field, status: 400, retriable: false });
}

/** Rejects what TGI would reject anyway, naming orch's field rather than TGI's. */
export function checkStop(task: TaskRequest, max = DEFAULT_MAX_STOP_SEQUENCES): void {
  if (task.stop && task.stop.length > max) {
    throw invalid('stop', `stop: TGI accepts at most ${max} stop sequences, got ${task.stop.length}`);
  }
}

/** Whether the job samples. temperature 0 always means greedy; do_sample decides otherwise (default: sample). */
export function isSampling(task: TaskRequest): boolean {
  if (task.temperature === 0) return false;
  return task.do_sample ?? true;
}

/** response_format → TGI's `{type, value}` grammar (also used as the chat route's response_format). */
export function toTgiGrammar(format: ResponseFormat): TgiGrammar {
  if (format.type === 'regex') return { type: 'regex', value: format.pattern };
  // TGI insists on a `properties` field; "any JSON object" is the closest schema that has one.
  return {
    type: 'json',
    value: format.schema ?? { type: 'object', properties: {}, additionalProperties: true },
  };
}

/**
 * TaskRequest → GenerateRequest parameters, following TGI's rules: `parameters` is always sent (its
 * absence silently switches sampling on), top_p must be < 1, temperature must be > 0, stop is an
 * array of at most max_stop_sequences, details is always on so the final event carries the finish
 * reason and token counts. presence_penalty has no TGI equivalent on /generate and is not sent.
 */
export function toGenerateParameters(
  task: TaskRequest,
  opts: GenerateParamsOptions = {},
): GenerateParameters {
  if (task.tools?.length) {
    throw invalid('tools', 'tools need the chat route: TGI /generate has no tool support');
  }
  checkStop(task, opts.maxStopSequences);
  const sampling = isSampling(task);
  const p: GenerateParameters = { do_sample: sampling, details: true };
  if (task.max_tokens !== undefined) p.max_new_tokens = task.max_tokens;
  if (sampling) {
    if (task.temperature !== undefined) p.temperature = task.temperature;
    // TGI's range is exclusive: 1.0 (no nucleus filtering) is rejected, so say it by leaving it out.
    if (task.top_p !== undefined && task.top_p < 1) p.top_p = task.top_p;
    if (task.top_k !== undefined) p.top_k = task.top_k;
  }
  if (task.repetition_penalty !== undefined) p.repetition_penalty = task.repetition_penalty;
  if (task.frequency_penalty !== undefined) p.frequency_penalty = task.frequency_penalty;
  if (task.stop?.length) p.stop = task.stop;
  if (task.logprobs !== false && task.top_logprobs) p.top_n_tokens = task.top_logprobs;
  if (task.response_format) p.grammar = toTgiGrammar(task.response_format);
  return p;
}

/** The JSON text of a /generate or /generate_stream body, with the u64 seed written verbatim. */
export function buildGenerateBody(task: TaskRequest, opts: GenerateParamsOptions = {}): string {
  if (task.prompt === undefined) {
    throw invalid('messages', 'messages need the chat route: /generate takes a prompt');
  }
  if (task.prompt.length === 0) throw invalid('prompt', 'prompt: TGI rejects an empty input');
  const mapped = toGenerateParameters(task, opts);
  const merged = opts.extraParameters ? { ...opts.extraParameters, ...mapped } : mapped;
  const params = stringifyWithRawField(merged, 'seed', rawSeed(task.seed));
  return `{"inputs":${JSON.stringify(task.prompt)},"parameters":${params}}`;
}
