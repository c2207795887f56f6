import { type EndEvent, type FinishReason, OrchError, type SourceEvent } from '@orch/adapter-api';
import { openAiAlternatives } from './alternatives.js';
import { errorTypeFromMessage, tgiError } from './tgi-error.js';
import { isObj, protocol } from './wire-checks.js';

type TokenSourceEvent = Extract<SourceEvent, { type: 'token' }>;
type EndSourceEvent = Extract<SourceEvent, { type: 'end' }>;
type ToolCallOut = NonNullable<EndEvent['tool_calls']>[number];

/** More parallel tool calls than this in one answer is not a real model output; refuse to grow. */
const MAX_TOOL_CALLS = 64;

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  eos_token: 'stop',
  end_turn: 'stop',
  length: 'length',
  max_tokens: 'length',
  stop_sequence: 'stop_sequence',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
};

/** OpenAI-style finish reasons (and TGI's variants) → orch's; unknown values count as a plain stop. */
export function normaliseChatFinish(reason: unknown): FinishReason {
  return (typeof reason === 'string' ? FINISH[reason] : undefined) ?? 'stop';
}

/**
 * `{error: {message, http_status_code}}` (TGI chat, hard-coded 422 whatever the cause) or
 * `{error: "...", error_type?}` → OrchError. The message prefix wins over TGI's meaningless status.
 */
export function chatStreamError(error: unknown, errorType: unknown): OrchError {
  let message = 'The engine reported an error';
  let status: number | undefined;
  if (typeof error === 'string') message = error;
  else if (isObj(error)) {
    if (typeof error.message === 'string') message = error.message;
    const s = error.http_status_code ?? error.status ?? error.code;
    if (typeof s === 'number' && Number.isInteger(s)) status = s;
  }
  const type = typeof errorType === 'string' ? errorType : errorTypeFromMessage(message);
  return tgiError(message, type, type === undefined && status !== undefined ? { status } : {});
}

/**
 * Incremental parser of an OpenAI-compatible `chat.completion.chunk` SSE stream (TGI's
 * /v1/chat/completions, HF's router). Content deltas become tokens; tool-call deltas are assembled by
 * index with the arguments kept as the JSON string (their fragments are also streamed as tokens, so
 * first-token and idle deadlines see progress); the usage chunk is remembered; `[DONE]` ends the job.
 * TGI sends no finish_reason at the end of a tool-call stream, so a job with tool calls finishes with
 * 'tool_calls' unless it was cut by 'length'.
 */
export class OpenAiChatStreamParser {
  /** True once `[DONE]` arrived. */
  done = false;
  /** The `model` field of the first chunk, if any. */
  model: string | undefined;
  /** The `system_fingerprint` of the first chunk, if any (TGI: `<version>-<label>`). */
  systemFingerprint: string | undefined;
  private readonly content: string[] = [];
  private readonly toolCalls: ToolCallOut[] = [];
  private finish: string | undefined;
  private promptTokens: number | undefined;
  private completionTokens: number | undefined;
  private chunks = 0;

  /**
   * Parses one SSE data payload. Returns the token it carries, if any. Throws OrchError for in-stream
   * errors and malformed data.
   */
  push(data: string): TokenSourceEvent | undefined {
    if (data === '[DONE]') {
      this.done = true;
      return undefined;
    }
    if (this.done) return undefined;
    let v: unknown;
    try {
      v = JSON.parse(data);
    } catch {
      throw protocol('The engine sent a chunk that is not JSON', data);
    }
    if (!isObj(v)) throw protocol('The engine sent a chunk that is not an object', data);
    if (v.error !== undefined && v.error !== null) throw chatStreamError(v.error, v.error_type);
    if (this.chunks++ === 0) {
      if (typeof v.model === 'string') this.model = v.model;
      if (typeof v.system_fingerprint === 'string') this.systemFingerprint = v.system_fingerprint;
    }
    const usage = v.usage;
    if (isObj(usage)) {
      if (typeof usage.prompt_tokens === 'number') this.promptTokens = usage.prompt_tokens;
      if (typeof usage.completion_tokens === 'number') this.completionTokens = usage.completion_tokens;
    }
    const choices = v.choices;
    if (choices === undefined || choices === null) return undefined;
    if (!Array.isArray(choices))
      throw protocol('The engine sent a chunk whose choices is not an array', data);
    const choice: unknown = choices[0];
    if (choice === undefined) return undefined;
    if (!isObj(choice)) throw protocol('The engine sent a malformed choice', data);
    if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '')
      this.finish = choice.finish_reason;
    const delta = choice.delta;
    if (!isObj(delta)) return undefined;
    let text = '';
    if (typeof delta.content === 'string' && delta.content !== '') {
      text = delta.content;
      this.content.push(text);
    }
    if (delta.tool_calls !== undefined && delta.tool_calls !== null)
      text += this.addToolDeltas(delta.tool_calls, data);
    if (text === '') return undefined;
    const token: TokenSourceEvent = { type: 'token', text };
    const lp = choice.logprobs;
    if (isObj(lp) && Array.isArray(lp.content)) {
      const first: unknown = lp.content[0];
      if (isObj(first)) {
        if (typeof first.logprob === 'number' || first.logprob === null) token.logprob = first.logprob;
        const alternatives = openAiAlternatives(first.top_logprobs, data);
        if (alternatives) token.top_logprobs = alternatives;
      }
    }
    return token;
  }

  private addToolDeltas(deltas: unknown, data: string): string {
    if (!Array.isArray(deltas)) throw protocol('The engine sent tool_calls that is not an array', data);
    let text = '';
    for (const d of deltas) {
      if (!isObj(d)) throw protocol('The engine sent a malformed tool-call delta', data);
      const index = typeof d.index === 'number' ? d.index : 0;
      if (!Number.isInteger(index) || index < 0 || index >= MAX_TOOL_CALLS) {
        throw protocol('The engine sent a tool-call delta with a bad index', data);
      }
      let call = this.toolCalls[index];
      if (!call) {
        for (let i = this.toolCalls.length; i < index; i++) {
          this.toolCalls[i] = { id: String(i), type: 'function', function: { name: '', arguments: '' } };
        }
        call = {
          id: typeof d.id === 'string' ? d.id : String(index),
          type: 'function',
          function: { name: '', arguments: '' },
        };
        this.toolCalls[index] = call;
      } else if (typeof d.id === 'string' && d.id !== '') call.id = d.id;
      const fn = d.function;
      if (isObj(fn)) {
        if (typeof fn.name === 'string' && fn.name !== '' && call.function.name === '')
          call.function.name = fn.name;
        if (typeof fn.arguments === 'string') {
          call.function.arguments += fn.arguments;
          text += fn.arguments;
        }
      }
    }
    return text;
  }

  /** True when a stream that ended without `[DONE]` still ended properly (pre-2.2 TGI sent no `[DONE]`). */
  get complete(): boolean {
    return this.done || (this.finish !== undefined && this.toolCalls.length === 0);
  }

  /** The final event. Throws if the stream was cut (no `[DONE]` and no finish_reason). */
  end(): EndSourceEvent {
    if (!this.complete) {
      throw new OrchError('NETWORK', 'The engine stream ended before the end of the answer', {
        retriable: true,
      });
    }
    const calls = this.toolCalls;
    let finish: FinishReason;
    if (calls.length > 0) finish = this.finish === 'length' ? 'length' : 'tool_calls';
    else finish = normaliseChatFinish(this.finish);
    const end: EndSourceEvent = { type: 'end', finish_reason: finish, text: this.content.join('') };
    if (calls.length > 0) end.tool_calls = calls.map((c) => ({ ...c, function: { ...c.function } }));
    if (this.completionTokens !== undefined || this.promptTokens !== undefined) {
      const usage: EndSourceEvent['usage'] = {};
      if (this.completionTokens !== undefined) usage.completion_tokens = this.completionTokens;
      if (this.promptTokens !== undefined) usage.prompt_tokens = this.promptTokens;
      end.usage = usage;
    }
    return end;
  }
}
