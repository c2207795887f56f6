import { type Message, OrchError, type ResponseFormat, type TaskRequest } from '@orch/adapter-api';
import { modelSuffix } from './hf-inference-options.js';

export interface RouterMessage {
  role: Message['role'];
  content: Message['content'] | null;
  name?: string;
  tool_calls?: Message['tool_calls'];
  tool_call_id?: string;
}

export type RouterResponseFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean } };

/** An OpenAI chat-completions request as the HF router takes it. `seed` is a bigint so a u64 survives. */
export interface RouterChatBody {
  model: string;
  messages: RouterMessage[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string[];
  seed?: bigint;
  logprobs?: boolean;
  top_logprobs?: number;
  tools?: TaskRequest['tools'];
  tool_choice?: TaskRequest['tool_choice'];
  response_format?: RouterResponseFormat;
}

export interface RouterRequestOptions {
  /** The adapter's configured model, used when the task names none. */
  model: string;
  /** A provider or policy to append when the model has no suffix. */
  provider?: string | undefined;
  stream: boolean;
}

/** `org/model` + provider → `org/model:provider`; a model that already has a suffix is sent unchanged. */
export function routerModelId(model: string, provider: string | undefined): string {
  if (provider === undefined || modelSuffix(model) !== undefined) return model;
  return `${model}:${provider}`;
}

function unsupported(field: string, message: string): OrchError {
  return new OrchError('UNSUPPORTED', message, { field, status: 400, retriable: false });
}

/** orch's response_format → OpenAI's: a schema becomes `json_schema`, bare JSON `json_object`; regex has no equivalent. */
export function toRouterResponseFormat(format: ResponseFormat): RouterResponseFormat {
  if (format.type === 'regex') {
    throw unsupported(
      'response_format',
      'response_format: the HF router (OpenAI-compatible) has no regex-constrained output; use a JSON schema',
    );
  }
  if (format.schema === undefined) return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name: 'response', schema: format.schema } };
}

function toRouterMessage(m: Message): RouterMessage {
  const out: RouterMessage = { role: m.role, content: m.content ?? null };
  if (m.name !== undefined) out.name = m.name;
  if (m.tool_calls?.length) out.tool_calls = m.tool_calls;
  if (m.tool_call_id !== undefined) out.tool_call_id = m.tool_call_id;
  return out;
}

/**
 * TaskRequest → router chat body. A prompt becomes one user message; do_sample:false means greedy
 * (temperature 0); top_k and repetition_penalty have no OpenAI field and are not sent (put provider
 * extensions in `extraBody`); streams ask for the usage chunk.
 */
export function buildRouterBody(task: TaskRequest, opts: RouterRequestOptions): RouterChatBody {
  const messages: RouterMessage[] = task.messages
    ? task.messages.map(toRouterMessage)
    : [{ role: 'user', content: task.prompt ?? '' }];
  const body: RouterChatBody = {
    model: routerModelId(task.model ?? opts.model, opts.provider),
    messages,
    stream: opts.stream,
  };
  if (opts.stream) body.stream_options = { include_usage: true };
  if (task.max_tokens !== undefined) body.max_tokens = task.max_tokens;
  if (task.temperature === 0 || task.do_sample === false) body.temperature = 0;
  else if (task.temperature !== undefined) body.temperature = task.temperature;
  if (task.top_p !== undefined) body.top_p = task.top_p;
  if (task.frequency_penalty !== undefined) body.frequency_penalty = task.frequency_penalty;
  if (task.presence_penalty !== undefined) body.presence_penalty = task.presence_penalty;
  if (task.stop?.length) body.stop = task.stop;
  if (task.seed !== undefined) body.seed = BigInt(task.seed);
  if (task.logprobs || task.top_logprobs) {
    body.logprobs = true;
    if (task.top_logprobs) body.top_logprobs = task.top_logprobs;
  }
  if (task.tools?.length) {
    body.tools = task.tools;
    if (task.tool_choice !== undefined) body.tool_choice = task.tool_choice;
  }
  if (task.response_format) body.response_format = toRouterResponseFormat(task.response_format);
  return body;
}
