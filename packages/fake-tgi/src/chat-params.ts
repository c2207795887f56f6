import { type GenParams, type Grammar, grammarOf } from './generate-params.js';
import { rawSeedDigits } from './raw-seed.js';
import {
  bool,
  expectObject,
  failDeserialize,
  isObject,
  optFloat,
  optInt,
  optStr,
  requireField,
  str,
  stringArray,
} from './serde-check.js';

export interface ChatTool {
  name: string;
  description: string | null;
  parameters: unknown;
}

export interface ChatParams {
  model: string | null;
  /** Flattened text of each message, for the template and the markers. */
  messages: { role: string; text: string }[];
  /** Tool-call ids already present in the conversation (decide the next streamed id). */
  priorToolCallIds: string[];
  temperature: number | null;
  topP: number | null;
  maxTokens: number | null;
  stop: string[];
  seed: number | null;
  seedRaw: string | null;
  frequencyPenalty: number | null;
  presencePenalty: number | null;
  logprobs: boolean;
  topLogprobs: number | null;
  stream: boolean;
  includeUsage: boolean;
  tools: ChatTool[] | null;
  /** 'auto' | 'none' | 'required' | a function name. */
  toolChoice: string;
  toolPrompt: string | null;
  responseFormat: Grammar | null;
}

const UNTAGGED = 'data did not match any variant of untagged enum MessageBody';

function messageText(m: Record<string, unknown>, path: string, ids: string[]): string {
  const content = m.content;
  if (content === undefined || content === null) {
    if (!Array.isArray(m.tool_calls)) failDeserialize(path, UNTAGGED);
    const calls = m.tool_calls.map((c, i) => {
      const call = expectObject(c, `${path}.tool_calls[${i}]`, 'struct ToolCall');
      ids.push(String(call.id ?? ''));
      return call.function;
    });
    return JSON.stringify(calls);
  }
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) failDeserialize(path, UNTAGGED);
  return content
    .map((part, i) => {
      const p = expectObject(part, `${path}.content[${i}]`, 'internally tagged enum MessageChunk');
      if (p.type === 'text') return str(p.text, `${path}.content[${i}].text`);
      if (p.type === 'image_url' && isObject(p.image_url)) {
        return `![](${str(p.image_url.url, `${path}.content[${i}].image_url.url`)})`;
      }
      return failDeserialize(
        `${path}.content[${i}]`,
        `unknown variant \`${String(p.type)}\`, expected \`text\` or \`image_url\``,
      );
    })
    .join('');
}

function toolsOf(v: unknown): ChatTool[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) failDeserialize('tools', 'invalid type: map, expected a sequence');
  return v.map((t, i) => {
    const tool = expectObject(t, `tools[${i}]`, 'struct Tool');
    const fn = expectObject(requireField(tool, 'function', `tools[${i}]`), `tools[${i}].function`, 'struct');
    return {
      name: str(requireField(fn, 'name', `tools[${i}].function`), `tools[${i}].function.name`),
      description: optStr(fn.description, `tools[${i}].function.description`),
      parameters: fn.parameters ?? fn.arguments ?? {},
    };
  });
}

function toolChoiceOf(v: unknown): string {
  if (v === undefined || v === null) return 'auto';
  if (typeof v === 'string') return v;
  const o = expectObject(v, 'tool_choice', 'untagged enum ToolChoice');
  if (isObject(o.function) && typeof o.function.name === 'string') return o.function.name;
  return failDeserialize('tool_choice', 'data did not match any variant of untagged enum ToolType');
}

/** Parses a ChatRequest; throws DeserializeError with serde's wording on bad shapes. */
export function parseChatRequest(body: unknown, rawBody: string): ChatParams {
  const root = expectObject(body, '', 'struct ChatRequest');
  const rawMessages = requireField(root, 'messages', '');
  if (!Array.isArray(rawMessages)) failDeserialize('messages', 'invalid type: map, expected a sequence');
  const ids: string[] = [];
  const messages = rawMessages.map((m, i) => {
    const msg = expectObject(m, `messages[${i}]`, 'struct Message');
    const role = str(requireField(msg, 'role', `messages[${i}]`), `messages[${i}].role`);
    return { role, text: messageText(msg, `messages[${i}]`, ids) };
  });
  if ('stream_options' in root && root.stream_options === null) {
    failDeserialize('stream_options', 'invalid type: null, expected struct StreamOptions');
  }
  const so =
    root.stream_options === undefined ? {} : expectObject(root.stream_options, 'stream_options', 'map');
  if (root.logit_bias !== undefined && root.logit_bias !== null && !Array.isArray(root.logit_bias)) {
    failDeserialize('logit_bias', 'invalid type: map, expected a sequence');
  }
  const seed = optInt(root.seed, 'seed', 'u64');
  return {
    model: optStr(root.model, 'model'),
    messages,
    priorToolCallIds: ids,
    temperature: optFloat(root.temperature, 'temperature'),
    topP: optFloat(root.top_p, 'top_p'),
    maxTokens: optInt(root.max_tokens ?? root.max_completion_tokens, 'max_tokens', 'u32'),
    stop: root.stop === undefined || root.stop === null ? [] : stringArray(root.stop, 'stop'),
    seed,
    seedRaw: seed === null ? null : (rawSeedDigits(rawBody, seed) ?? null),
    frequencyPenalty: optFloat(root.frequency_penalty, 'frequency_penalty'),
    presencePenalty: optFloat(root.presence_penalty, 'presence_penalty'),
    logprobs: root.logprobs === null ? false : bool(root.logprobs, 'logprobs', false),
    topLogprobs: optInt(root.top_logprobs, 'top_logprobs', 'u32'),
    stream: bool(root.stream, 'stream', false),
    includeUsage: bool(so.include_usage, 'stream_options.include_usage', false),
    tools: toolsOf(root.tools),
    toolChoice: toolChoiceOf(root.tool_choice),
    toolPrompt: optStr(root.tool_prompt, 'tool_prompt'),
    responseFormat: grammarOf(root.response_format, 'response_format'),
  };
}

const DEFAULT_TOOL_PROMPT = 'Given the functions available, please respond with a JSON for a function call';

/** A stand-in chat template; a trailing assistant message is continued rather than closed. */
export function renderTemplate(c: ChatParams, withTools: boolean): string {
  const msgs = c.messages.map((m) => ({ ...m }));
  const lastMsg = msgs[msgs.length - 1];
  if (withTools && c.tools && lastMsg) {
    lastMsg.text += `\n---\n${c.toolPrompt ?? DEFAULT_TOOL_PROMPT}\n${JSON.stringify(c.tools)}`;
  }
  let out = '';
  msgs.forEach((m, i) => {
    const continued = i === msgs.length - 1 && m.role === 'assistant';
    out += `<|${m.role}|>\n${m.text}${continued ? '' : '</s>\n'}`;
  });
  if (lastMsg?.role !== 'assistant') out += '<|assistant|>\n';
  return out;
}

/** The GenerateRequest TGI builds from a chat request (temperature 0 means greedy). */
export function chatToGenerate(c: ChatParams, inputs: string): GenParams {
  const greedy = c.temperature === 0;
  return {
    inputs,
    bestOf: null,
    decoderInputDetails: false,
    details: true,
    doSample: !greedy,
    frequencyPenalty: c.frequencyPenalty,
    grammar: null,
    maxNewTokens: c.maxTokens,
    repetitionPenalty: c.presencePenalty === null ? null : c.presencePenalty + 2,
    returnFullText: false,
    seed: c.seed,
    seedRaw: c.seedRaw,
    stop: c.stop,
    temperature: greedy ? null : c.temperature,
    topK: null,
    topNTokens: c.topLogprobs,
    topP: c.topP,
    truncate: null,
    typicalP: null,
    adapterId: c.model === 'tgi' ? null : c.model,
  };
}
