import type { EndEvent, SourceEvent, TopLogprob } from '@orch/adapter-api';
import { normaliseGenerateFinish } from './generate-stream-parser.js';
import { normaliseChatFinish } from './openai-chat-stream.js';
import type { ChatCompletion, GenerateResponse, TgiToken } from './response-schemas.js';

type TokenSourceEvent = Extract<SourceEvent, { type: 'token' }>;
type EndSourceEvent = Extract<SourceEvent, { type: 'end' }>;

/**
 * A `/generate` answer as the events a stream would have carried: one token per `details.tokens`
 * entry (special tokens included, flagged), then the end with TGI's `generated_text`.
 */
export function generateResponseEvents(
  body: GenerateResponse,
  headers: Record<string, string>,
): SourceEvent[] {
  const events: SourceEvent[] = [];
  const d = body.details;
  const top = d?.top_tokens;
  for (const [i, t] of (d?.tokens ?? []).entries()) {
    const ev: TokenSourceEvent = { type: 'token', text: t.text, token_id: t.id };
    if (t.logprob !== undefined) ev.logprob = t.logprob;
    if (t.special !== undefined) ev.special = t.special;
    const alternatives = top?.[i];
    if (alternatives?.length) ev.top_logprobs = alternatives.map(fromTgiToken);
    events.push(ev);
  }
  if (events.length === 0 && body.generated_text !== '')
    events.push({ type: 'token', text: body.generated_text });
  const end: EndSourceEvent = {
    type: 'end',
    finish_reason: normaliseGenerateFinish(d?.finish_reason),
    text: body.generated_text,
  };
  const usage: EndSourceEvent['usage'] = {};
  const generated = d?.generated_tokens ?? intHeader(headers['x-generated-tokens']);
  const prompt = intHeader(headers['x-prompt-tokens']);
  if (generated !== undefined) usage.completion_tokens = generated;
  if (prompt !== undefined) usage.prompt_tokens = prompt;
  end.usage = usage;
  events.push(end);
  return events;
}

/** A non-stream chat completion as stream events: per-token when logprobs came back, else one token. */
export function chatCompletionEvents(body: ChatCompletion): SourceEvent[] {
  const events: SourceEvent[] = [];
  const choice = body.choices[0]!;
  const content = choice.message.content ?? '';
  const perToken = choice.logprobs?.content;
  if (perToken?.length) {
    for (const t of perToken) {
      const ev: TokenSourceEvent = { type: 'token', text: t.token, logprob: t.logprob };
      if (t.top_logprobs?.length)
        ev.top_logprobs = t.top_logprobs.map((a) => ({ text: a.token, logprob: a.logprob }));
      events.push(ev);
    }
  } else if (content !== '') {
    events.push({ type: 'token', text: content });
  }
  const calls: NonNullable<EndEvent['tool_calls']> = (choice.message.tool_calls ?? []).map((c, i) => ({
    id: c.id === undefined || c.id === null ? String(i) : String(c.id),
    type: 'function',
    function: {
      name: c.function.name,
      arguments:
        typeof c.function.arguments === 'string'
          ? c.function.arguments
          : JSON.stringify(c.function.arguments ?? {}),
    },
  }));
  if (calls.length > 0 && events.length === 0) {
    for (const c of calls) events.push({ type: 'token', text: c.function.arguments });
  }
  const end: EndSourceEvent = {
    type: 'end',
    // TGI has no 'tool_calls' finish reason: a tool-call answer says 'stop' (or 'length' if cut).
    finish_reason:
      calls.length > 0 && choice.finish_reason !== 'length'
        ? 'tool_calls'
        : normaliseChatFinish(choice.finish_reason),
    text: content,
  };
  if (calls.length > 0) end.tool_calls = calls;
  if (body.usage) {
    const usage: EndSourceEvent['usage'] = {};
    if (body.usage.completion_tokens !== undefined) usage.completion_tokens = body.usage.completion_tokens;
    if (body.usage.prompt_tokens !== undefined) usage.prompt_tokens = body.usage.prompt_tokens;
    end.usage = usage;
  }
  events.push(end);
  return events;
}

/** A validated TGI `Token` as an alternative (a missing logprob is TGI's NaN, i.e. null). */
function fromTgiToken(t: TgiToken): TopLogprob {
  const alt: TopLogprob = { id: t.id, text: t.text, logprob: t.logprob ?? null };
  if (t.special !== undefined) alt.special = t.special;
  return alt;
}

function intHeader(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}
