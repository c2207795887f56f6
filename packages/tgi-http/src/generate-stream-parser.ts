import type { FinishReason, SourceEvent } from '@orch/adapter-api';
import { tgiAlternatives } from './alternatives.js';
import { tgiError } from './tgi-error.js';
import { isObj, protocol } from './wire-checks.js';

export type TokenSourceEvent = Extract<SourceEvent, { type: 'token' }>;
export type EndSourceEvent = Extract<SourceEvent, { type: 'end' }>;

const FINISH: Record<string, FinishReason> = {
  eos_token: 'stop',
  stop: 'stop',
  length: 'length',
  stop_sequence: 'stop_sequence',
};

/** TGI's generate-route finish reasons (`eos_token`, `length`, `stop_sequence`) → orch's. */
export function normaliseGenerateFinish(reason: unknown): FinishReason {
  return (typeof reason === 'string' ? FINISH[reason] : undefined) ?? 'stop';
}

/** A TGI `Token` (`{id, text, logprob, special}`) checked field by field; undefined if it is not one. */
export function readToken(t: unknown): TokenSourceEvent | undefined {
  if (!isObj(t) || typeof t.text !== 'string') return undefined;
  const { id, text, logprob, special } = t;
  // TGI always sends all four fields: build that shape in one literal (one hidden class, no transitions).
  if (
    typeof id === 'number' &&
    typeof special === 'boolean' &&
    (typeof logprob === 'number' || logprob === null)
  ) {
    return { type: 'token', text, token_id: id, logprob, special };
  }
  const ev: TokenSourceEvent = { type: 'token', text };
  if (typeof id === 'number') ev.token_id = id;
  // NaN logprobs arrive as null (seen on EOS tokens); keep the null rather than inventing a number.
  if (typeof logprob === 'number' || logprob === null) ev.logprob = logprob;
  if (typeof special === 'boolean') ev.special = special;
  return ev;
}

/**
 * Parses one SSE `data` payload of `/generate_stream` and appends its token (and, for the last event,
 * the end) to `out`; returns true when the job ended. Cheap on purpose (JSON.parse plus a few field
 * reads, no schema library, no wrapper objects): this runs once per token. Malformed data and in-stream
 * errors throw an OrchError for this job only.
 */
export function parseGenerateStreamEvent(data: string, out: SourceEvent[]): boolean {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    throw protocol('TGI sent an event that is not JSON', data);
  }
  if (!isObj(v)) throw protocol('TGI sent an event that is not an object', data);
  if (v.error !== undefined) {
    const msg = typeof v.error === 'string' ? v.error : isObj(v.error) ? v.error.message : undefined;
    const type = typeof v.error_type === 'string' ? v.error_type : undefined;
    // In-stream errors arrive after a 200, so the status is what TGI would have answered.
    throw tgiError(typeof msg === 'string' ? msg : 'TGI reported an error', type);
  }
  const token = readToken(v.token);
  if (!token) throw protocol('TGI sent an event without a valid token', data);
  // Only present when the task asked for top_n_tokens, so the common event pays one field read.
  if (v.top_tokens !== undefined) {
    const alternatives = tgiAlternatives(v.top_tokens, data);
    if (alternatives) token.top_logprobs = alternatives;
  }
  const text = v.generated_text;
  if (text === null || text === undefined) {
    out.push(token);
    return false;
  }
  if (typeof text !== 'string') throw protocol('TGI sent a non-string generated_text', data);
  const end: EndSourceEvent = { type: 'end', finish_reason: 'stop', text };
  const d = v.details;
  if (isObj(d)) {
    end.finish_reason = normaliseGenerateFinish(d.finish_reason);
    const usage: EndSourceEvent['usage'] = {};
    if (typeof d.generated_tokens === 'number') usage.completion_tokens = d.generated_tokens;
    if (typeof d.input_length === 'number') usage.prompt_tokens = d.input_length;
    end.usage = usage;
  }
  out.push(token, end);
  return true;
}
