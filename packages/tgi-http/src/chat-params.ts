import { type Message, OrchError, type TaskRequest } from '@orch/adapter-api';
import { checkStop, type TgiGrammar, toTgiGrammar } from './generate-params.js';
import { rawSeed, stringifyWithRawField } from './raw-json.js';

type ChatContent =
  | string
  | Array<{ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }>;

export interface ChatMessage {
  role: Message['role'];
  content?: ChatContent;
  name?: string;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters: unknown };
}

/** The fields of TGI's ChatRequest that orch sets (seed is written raw, see raw-json.ts). */
export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  frequency_penalty?: number;
  stop?: string[];
  logprobs?: boolean;
  top_logprobs?: number;
  tools?: ChatTool[];
  tool_choice?: TaskRequest['tool_choice'];
  response_format?: TgiGrammar;
}

export interface ChatParamsOptions {
  stream: boolean;
  /** Sent as `model`; TGI treats anything but "tgi" as a LoRA adapter id (unknown ids use the base model). */
  model?: string;
  maxStopSequences?: number;
}

function invalid(field: string, message: string): OrchError {
  return new OrchError('INVALID_REQUEST', message, { field, status: 400, retriable: false });
}

function toChatMessage(m: Message): ChatMessage {
  const out: ChatMessage = { role: m.role };
  // TGI rejects `content: null`; an assistant tool-call turn is sent without the key instead.
  if (m.content !== undefined && m.content !== null) out.content = m.content;
  if (m.name !== undefined) out.name = m.name;
  if (m.tool_calls?.length) out.tool_calls = m.tool_calls;
  if (m.tool_call_id !== undefined) out.tool_call_id = m.tool_call_id;
  return out;
}

/**
 * TaskRequest → TGI ChatRequest. TGI-specific rules: presence_penalty is not sent (TGI turns it into
 * repetition_penalty + 2) nor is logit_bias; stream/stream_options are never null; response_format
 * uses TGI's `{type, value}`; tools and response_format are mutually exclusive; top_p must be < 1;
 * do_sample:false becomes temperature 0 (greedy on this route). top_k and repetition_penalty have no
 * chat field in TGI and are left out.
 */
export function toChatRequest(task: TaskRequest, opts: ChatParamsOptions): ChatRequestBody {
  checkStop(task, opts.maxStopSequences);
  if (task.tools?.length && task.response_format) {
    throw invalid(
      'response_format',
      'response_format: TGI does not allow tools and response_format together',
    );
  }
  const messages =
    task.messages?.map(toChatMessage) ??
    (task.prompt !== undefined ? [{ role: 'user' as const, content: task.prompt }] : []);
  const body: ChatRequestBody = { model: task.model ?? opts.model ?? 'tgi', messages, stream: opts.stream };
  if (opts.stream) body.stream_options = { include_usage: true };
  if (task.max_tokens !== undefined) body.max_tokens = task.max_tokens;
  const greedy = task.temperature === 0 || task.do_sample === false;
  if (greedy) body.temperature = 0;
  else {
    if (task.temperature !== undefined) body.temperature = task.temperature;
    if (task.top_p !== undefined && task.top_p < 1) body.top_p = task.top_p;
  }
  if (task.frequency_penalty !== undefined) body.frequency_penalty = task.frequency_penalty;
  if (task.stop?.length) body.stop = task.stop;
  if (task.logprobs || task.top_logprobs) {
    body.logprobs = true;
    if (task.top_logprobs) body.top_logprobs = task.top_logprobs;
  }
  if (task.tools?.length) {
    body.tools = task.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.function.name,
        ...(t.function.description !== undefined ? { description: t.function.description } : {}),
        // TGI requires the schema; a function without parameters takes an empty object.
        parameters: t.function.parameters ?? { type: 'object', properties: {} },
      },
    }));
    if (task.tool_choice !== undefined) body.tool_choice = task.tool_choice;
  }
  if (task.response_format) body.response_format = toTgiGrammar(task.response_format);
  return body;
}

/** The JSON text of a /v1/chat/completions body, with the u64 seed written verbatim. */
export function buildChatBody(task: TaskRequest, opts: ChatParamsOptions): string {
  return stringifyWithRawField(toChatRequest(task, opts), 'seed', rawSeed(task.seed));
}
