// The OpenAI response and chunk shapes, built from the daemon's events.
import type { EndEvent, FinishReason, TokenTextEvent } from '@orch/adapter-api';

export type OpenAIFinish = 'stop' | 'length' | 'tool_calls';

/** TGI's `stop_sequence` is not an OpenAI value: a stop sequence is a 'stop' there. */
export function openAIFinish(reason: FinishReason, hasToolCalls: boolean): OpenAIFinish {
  if (hasToolCalls || reason === 'tool_calls') return 'tool_calls';
  return reason === 'length' ? 'length' : 'stop';
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function openAIUsage(end: EndEvent): OpenAIUsage {
  const prompt = end.usage.prompt_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: end.usage.completion_tokens,
    total_tokens: prompt + end.usage.completion_tokens,
  };
}

export interface TopLogprobEntry {
  token: string;
  logprob: number;
  bytes: number[];
}

export interface LogprobEntry extends TopLogprobEntry {
  top_logprobs: TopLogprobEntry[];
}

/** OpenAI has no null logprob; an engine's NaN (TGI sends null) is reported as -9999 like OpenAI's floor. */
function openAILogprob(logprob: number | null | undefined): number {
  return typeof logprob === 'number' ? logprob : -9999;
}

/**
 * A token's chat logprob entry; `top` is the client's `top_logprobs`: that many of the engine's
 * alternatives (OpenAI answers exactly what was asked, so an engine's extra ties are cut).
 */
export function logprobEntry(ev: TokenTextEvent, top = 0): LogprobEntry {
  const alternatives = top > 0 ? ev.top_logprobs : undefined;
  return {
    ...topEntry(ev.text, ev.logprob),
    top_logprobs: alternatives ? alternatives.slice(0, top).map((a) => topEntry(a.text, a.logprob)) : [],
  };
}

function topEntry(text: string, logprob: number | null | undefined) {
  return { token: text, logprob: openAILogprob(logprob), bytes: [...Buffer.from(text, 'utf8')] };
}

/** Fields every response/chunk of one job shares. */
export interface ResponseMeta {
  id: string;
  created: number;
  model: string;
}

export function chatCompletion(
  meta: ResponseMeta,
  end: EndEvent,
  logprobs: LogprobEntry[] | undefined,
): Record<string, unknown> {
  const toolCalls = end.tool_calls?.length ? end.tool_calls : undefined;
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: toolCalls ? null : end.text,
    refusal: null,
  };
  if (toolCalls) message.tool_calls = toolCalls;
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message,
        logprobs: logprobs ? { content: logprobs, refusal: null } : null,
        finish_reason: openAIFinish(end.finish_reason, toolCalls !== undefined),
      },
    ],
    usage: openAIUsage(end),
  };
}

export function chatChunk(
  meta: ResponseMeta,
  delta: Record<string, unknown>,
  finish: OpenAIFinish | null,
  withUsage: boolean,
  logprobs?: LogprobEntry,
): string {
  const chunk: Record<string, unknown> = {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        delta,
        logprobs: logprobs ? { content: [logprobs], refusal: null } : null,
        finish_reason: finish,
      },
    ],
  };
  // With include_usage OpenAI sends `usage: null` on every chunk, then one usage chunk.
  if (withUsage) chunk.usage = null;
  return JSON.stringify(chunk);
}

/**
 * The per-token chunk without logprobs, as a prefix + JSON string + suffix: only the token text is
 * serialised per token (the hot path of every stream), and the bytes equal chatChunk's.
 */
export function contentChunker(meta: ResponseMeta, withUsage: boolean): (text: string) => string {
  const marker = '\u0000';
  const whole = chatChunk(meta, { content: marker }, null, withUsage);
  const at = whole.lastIndexOf(JSON.stringify(marker));
  const head = whole.slice(0, at);
  const tail = whole.slice(at + JSON.stringify(marker).length);
  return (text) => head + JSON.stringify(text) + tail;
}

/** Same for legacy completion chunks. */
export function completionChunker(meta: ResponseMeta, withUsage: boolean): (text: string) => string {
  const marker = '\u0000';
  const whole = completionChunk(meta, marker, null, withUsage);
  const at = whole.lastIndexOf(JSON.stringify(marker));
  const head = whole.slice(0, at);
  const tail = whole.slice(at + JSON.stringify(marker).length);
  return (text) => head + JSON.stringify(text) + tail;
}

export function usageChunk(meta: ResponseMeta, object: string, usage: OpenAIUsage): string {
  return JSON.stringify({
    id: meta.id,
    object,
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [],
    usage,
  });
}

interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Array<Record<string, number>> | null;
  text_offset: number[];
}

/**
 * Legacy completion logprobs. `top` is the client's `logprobs: n`: each position gets a
 * `{token: logprob}` map of the n most likely alternatives plus the sampled token (OpenAI's "up to
 * logprobs+1 elements"); a text seen twice keeps its first, most likely, logprob.
 */
export function completionLogprobs(tokens: TokenTextEvent[], offset0: number, top = 0): CompletionLogprobs {
  const out: CompletionLogprobs = {
    tokens: [],
    token_logprobs: [],
    top_logprobs: top > 0 ? [] : null,
    text_offset: [],
  };
  let offset = offset0;
  for (const t of tokens) {
    const logprob = openAILogprob(t.logprob);
    out.tokens.push(t.text);
    out.token_logprobs.push(logprob);
    out.text_offset.push(offset);
    offset += t.text.length;
    if (out.top_logprobs) {
      // No prototype: a token may well be the text `__proto__`, which must stay a plain key.
      const map = Object.create(null) as Record<string, number>;
      for (const a of t.top_logprobs?.slice(0, top) ?? []) {
        if (!Object.hasOwn(map, a.text)) map[a.text] = openAILogprob(a.logprob);
      }
      if (!Object.hasOwn(map, t.text)) map[t.text] = logprob;
      out.top_logprobs.push(map);
    }
  }
  return out;
}

export function textCompletion(
  meta: ResponseMeta,
  text: string,
  end: EndEvent,
  logprobs: CompletionLogprobs | null,
): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [{ index: 0, text, logprobs, finish_reason: openAIFinish(end.finish_reason, false) }],
    usage: openAIUsage(end),
  };
}

export function completionChunk(
  meta: ResponseMeta,
  text: string,
  finish: OpenAIFinish | null,
  withUsage: boolean,
  logprobs: CompletionLogprobs | null = null,
): string {
  const chunk: Record<string, unknown> = {
    id: meta.id,
    object: 'text_completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [{ index: 0, text, logprobs, finish_reason: finish }],
  };
  if (withUsage) chunk.usage = null;
  return JSON.stringify(chunk);
}
