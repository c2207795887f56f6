import { type Generation, type GenFinish, type GenToken, splitJsonPieces } from './generation.js';
import { streamHeaders } from './http-replies.js';
import type { SseWriter } from './sse-writer.js';
import type { StreamScript } from './token-stream.js';

export interface ChatMeta {
  created: number;
  model: string;
  fingerprint: string;
  promptTokens: number;
  includeUsage: boolean;
  logprobs: boolean;
  topLogprobs: number;
}

export function chatFinish(f: GenFinish): string {
  return f === 'eos_token' ? 'stop' : f;
}

/** `{"object":…,"id":"","created":…,"model":…,"system_fingerprint":…,` — shared by every chunk. */
export function chunkHead(m: ChatMeta, object: string): string {
  return `{"object":"${object}","id":"","created":${m.created},"model":${JSON.stringify(m.model)},"system_fingerprint":${JSON.stringify(m.fingerprint)},`;
}

export function usageJson(prompt: number, completion: number): string {
  return `{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion}}`;
}

/** One OpenAI-style logprob entry for a token (NaN/absent logprob is written null, as TGI does). */
export function logprobEntry(tok: GenToken, top: number): string {
  const alts: string[] = [];
  if (top > 0) {
    alts.push(`{"token":${JSON.stringify(tok.text)},"logprob":${tok.logprob}}`);
    const base = tok.logprob === 'null' ? -1 : Number(tok.logprob);
    for (let k = 1; k < top; k++)
      alts.push(`{"token":" alt${k}","logprob":${Math.round((base - k) * 10) / 10}}`);
  }
  return `{"token":${JSON.stringify(tok.text)},"logprob":${tok.logprob},"top_logprobs":[${alts.join(',')}]}`;
}

export function openAiErrorEvent(prefix: string, message: string): string {
  return `${prefix}{"error":{"message":${JSON.stringify(message)},"http_status_code":422}}\n\n${prefix}[DONE]\n\n`;
}

function trailer(prefix: string, m: ChatMeta, gen: Generation): string {
  const usage = m.includeUsage
    ? `${prefix}${chunkHead(m, 'chat.completion.chunk')}"choices":[],"usage":${usageJson(m.promptTokens, gen.count)}}\n\n`
    : '';
  return `${usage}${prefix}[DONE]\n\n`;
}

/** Content deltas: one chunk per token, role repeated, EOS as empty content, finish on the last. */
export function contentScript(prefix: string, m: ChatMeta, gen: Generation): StreamScript {
  const head = `${prefix}${chunkHead(m, 'chat.completion.chunk')}"choices":[{"index":0,"delta":{"role":"assistant","content":`;
  const last = gen.count - 1;
  const finish = `"${chatFinish(gen.finishReason)}"`;
  return {
    total: gen.count,
    eventFor(i) {
      const tok = gen.token(i);
      const content = tok.special ? '""' : JSON.stringify(tok.text);
      const lp = m.logprobs ? `{"content":[${logprobEntry(tok, m.topLogprobs)}]}` : 'null';
      return `${head}${content}},"logprobs":${lp},"finish_reason":${i === last ? finish : 'null'}}],"usage":null}\n\n`;
    },
    trailer: () => trailer(prefix, m, gen),
    errorEvent: (_type, message) => openAiErrorEvent(prefix, message),
  };
}

/** How the model's tool-call JSON is laid out over tokens. */
export interface ToolPlan {
  name: string;
  description: string | null;
  pieces: string[];
  /** Index of the token that completes the function name (first streamed chunk). */
  nameAt: number;
  /** Index of the outer closing `}` (trimmed from the stream). */
  outerAt: number;
  /** The model's whole output text. */
  text: string;
}

/** Lays out `{"function": {"_name": "NAME", <args>}}` as tokens, the shape TGI's tool grammar forces. */
export function planTool(name: string, description: string | null, argsText: string): ToolPlan {
  const prefix = splitJsonPieces(`{"function": {"_name": ${JSON.stringify(name)}`);
  const trimmed = argsText.trim();
  const inner = trimmed.startsWith('{') ? trimmed.slice(1) : trimmed;
  const empty = inner.trim() === '}';
  const args = empty ? ['}'] : splitJsonPieces(inner);
  if (!empty) {
    prefix.push(',');
    if (args[0] !== undefined) args[0] = ` ${args[0].trimStart()}`;
  }
  const pieces = [...prefix, ...args, '}'];
  return {
    name,
    description,
    pieces,
    nameAt: prefix.length - 1,
    outerAt: prefix.length + args.length,
    text: pieces.join(''),
  };
}

/**
 * TGI >= 3.2 tool-call deltas: nothing until the name is known, then `{name, arguments:"{"}`, then raw
 * token text with name:null; the outer `}` and EOS send nothing, so a normal end has no finish_reason.
 */
export function toolScript(
  prefix: string,
  m: ChatMeta,
  gen: Generation,
  tool: ToolPlan,
  id: string,
): StreamScript {
  const head = `${prefix}${chunkHead(m, 'chat.completion.chunk')}"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":${JSON.stringify(id)},"type":"function","function":{"name":`;
  const last = gen.count - 1;
  const cutByLength = gen.finishReason === 'length';
  const chunk = (name: string | null, args: string, finish: string | null): string =>
    `${head}${name === null ? 'null' : JSON.stringify(name)},"arguments":${JSON.stringify(args)}}}]},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}],"usage":null}\n\n`;
  return {
    total: gen.count,
    eventFor(i) {
      const finish = cutByLength && i === last ? 'length' : null;
      if (i < tool.nameAt) return finish ? chunk(tool.name, '{', finish) : '';
      if (i === tool.nameAt) return chunk(tool.name, '{', finish);
      if (i < tool.outerAt) return chunk(null, gen.token(i).text, finish);
      return finish ? chunk(null, '', finish) : '';
    },
    trailer: () => trailer(prefix, m, gen),
    errorEvent: (_type, message) => openAiErrorEvent(prefix, message),
  };
}

/** How the OpenAI-style routes (chat, completions) refuse a stream: a 200, the error event, the end. */
export function openAiStreamError(w: SseWriter, computeChars: number) {
  return async (_type: string, message: string): Promise<void> => {
    w.start(streamHeaders(computeChars));
    w.append(openAiErrorEvent(w.prefix, message));
    await w.end();
  };
}

/** The `model` these routes echo: the request's, unless it is absent or `tgi`. */
export function servedModel(requested: string | null, modelId: string): string {
  return requested === null || requested === 'tgi' ? modelId : requested;
}
