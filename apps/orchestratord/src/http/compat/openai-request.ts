// OpenAI request bodies → the daemon's TaskRequest. Unknown fields are stripped (OpenAI adds fields
// often; rejecting them would break SDK upgrades); fields whose meaning we cannot honour are a 400
// naming the field rather than silently giving a different answer.
import {
  invalidRequestFromZod,
  type Message,
  OrchError,
  type ResponseFormat,
  type TaskRequestInput,
} from '@orch/adapter-api';
import { z } from 'zod';
import { routableModel } from './job-stream.js';

const Stop = z
  .union([z.string(), z.array(z.string())])
  .nullable()
  .optional();

const StreamOptions = z.object({ include_usage: z.boolean().nullable().optional() }).nullable().optional();

/** Sampling fields shared by both routes, including the TGI/vLLM extensions clients send. */
const Sampling = {
  model: z.string().nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  seed: z.number().int().nonnegative().nullable().optional(),
  stop: Stop,
  n: z.literal(1, { message: 'only n = 1 is supported' }).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: StreamOptions,
  top_k: z.number().int().positive().nullable().optional(),
  repetition_penalty: z.number().positive().nullable().optional(),
  do_sample: z.boolean().nullable().optional(),
};

const TextPart = z.object({ type: z.literal('text'), text: z.string() });
const ImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.string().optional() }),
});
const ContentPart = z.discriminatedUnion('type', [TextPart, ImagePart], {
  error: 'content parts may be text or image_url only',
});

const ToolCallIn = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const ChatMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z
    .union([z.string(), z.array(ContentPart)])
    .nullable()
    .optional(),
  name: z.string().optional(),
  tool_calls: z.array(ToolCallIn).nullable().optional(),
  tool_call_id: z.string().optional(),
});

const FunctionTool = z.object({
  type: z.literal('function', { message: 'only function tools are supported' }),
  function: z.object({
    name: z.string().min(1),
    description: z.string().nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).nullable().optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const ToolChoice = z
  .union([
    z.enum(['auto', 'none', 'required']),
    z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
  ])
  .nullable()
  .optional();

const JsonSchemaObject = z.record(z.string(), z.unknown());

/** OpenAI's response_format, plus TGI's own `{type: json|json_object|regex, value}` that TGI clients send. */
const ResponseFormatIn = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object'), value: JsonSchemaObject.optional() }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({
        name: z.string().optional(),
        schema: JsonSchemaObject.optional(),
        strict: z.boolean().nullable().optional(),
      }),
    }),
    z.object({ type: z.literal('json'), value: JsonSchemaObject.optional() }),
    z.object({ type: z.literal('regex'), value: z.string().min(1) }),
  ])
  .nullable()
  .optional();

export const ChatCompletionBody = z.object({
  ...Sampling,
  messages: z.array(ChatMessage).min(1, 'messages must hold at least one message'),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  tools: z.array(FunctionTool).nullable().optional(),
  tool_choice: ToolChoice,
  response_format: ResponseFormatIn,
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  audio: z.null({ message: 'audio output is not supported' }).optional(),
  /** OpenAI's flag for keeping the completion; here: keep the job for GET /v2/tasks/{id}. */
  store: z.boolean().nullable().optional(),
});
export type ChatCompletionBody = z.infer<typeof ChatCompletionBody>;

export const CompletionBody = z.object({
  ...Sampling,
  prompt: z.union([z.string(), z.array(z.string()).length(1, 'only one prompt per request is supported')]),
  max_tokens: z.number().int().positive().nullable().optional(),
  echo: z.boolean().nullable().optional(),
  // TGI's name for echo, sent by @huggingface/inference's textGeneration parameters.
  return_full_text: z.boolean().nullable().optional(),
  logprobs: z.number().int().min(0).max(5).nullable().optional(),
  best_of: z.literal(1, { message: 'only best_of = 1 is supported' }).nullable().optional(),
  suffix: z.null({ message: 'suffix is not supported' }).optional(),
  store: z.boolean().nullable().optional(),
});
export type CompletionBody = z.infer<typeof CompletionBody>;

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OrchError('INVALID_REQUEST', 'The body must be a JSON object', {
      status: 400,
      retriable: false,
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error);
  return parsed.data;
}

type SamplingFields = {
  [K in keyof typeof Sampling]?: z.output<(typeof Sampling)[K]>;
};

function sampling(b: SamplingFields): TaskRequestInput {
  const t: TaskRequestInput = {};
  const model = routableModel(b.model);
  if (model !== undefined) t.model = model;
  if (b.temperature != null) t.temperature = b.temperature;
  if (b.top_p != null) t.top_p = b.top_p;
  if (b.frequency_penalty != null) t.frequency_penalty = b.frequency_penalty;
  if (b.presence_penalty != null) t.presence_penalty = b.presence_penalty;
  if (b.seed != null) t.seed = b.seed;
  if (b.stop != null) {
    const stops = (typeof b.stop === 'string' ? [b.stop] : b.stop).filter((s) => s !== '');
    if (stops.length > 0) t.stop = stops;
  }
  if (b.top_k != null) t.top_k = b.top_k;
  if (b.repetition_penalty != null) t.repetition_penalty = b.repetition_penalty;
  if (b.do_sample != null) t.do_sample = b.do_sample;
  // OpenAI answers in one piece unless asked to stream: the engine is asked the same way.
  t.stream = b.stream === true;
  return t;
}

function toMessage(m: ChatCompletionBody['messages'][number]): Message {
  const out: Message = { role: m.role === 'developer' ? 'system' : m.role };
  if (m.content !== undefined && m.content !== null) {
    out.content =
      typeof m.content === 'string'
        ? m.content
        : m.content.map((p) =>
            p.type === 'text' ? p : { type: 'image_url' as const, image_url: { url: p.image_url.url } },
          );
  }
  if (m.name !== undefined) out.name = m.name;
  if (m.tool_calls?.length) out.tool_calls = m.tool_calls;
  if (m.tool_call_id !== undefined) out.tool_call_id = m.tool_call_id;
  return out;
}

function responseFormat(rf: NonNullable<ChatCompletionBody['response_format']>): ResponseFormat | undefined {
  if (rf.type === 'text') return undefined;
  if (rf.type === 'regex') return { type: 'regex', pattern: rf.value };
  const schema = rf.type === 'json_schema' ? rf.json_schema.schema : rf.value;
  return schema ? { type: 'json', schema } : { type: 'json' };
}

export function chatToTask(b: ChatCompletionBody): TaskRequestInput {
  const t = sampling(b);
  t.messages = b.messages.map(toMessage);
  const max = b.max_completion_tokens ?? b.max_tokens;
  if (max != null) t.max_tokens = max;
  if (b.tools?.length) {
    t.tools = b.tools.map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.function.name,
        ...(tool.function.description != null ? { description: tool.function.description } : {}),
        ...(tool.function.parameters != null ? { parameters: tool.function.parameters } : {}),
      },
    }));
  }
  if (b.tool_choice != null) t.tool_choice = b.tool_choice;
  if (b.response_format != null) {
    const rf = responseFormat(b.response_format);
    if (rf) t.response_format = rf;
  }
  if (b.logprobs != null) t.logprobs = b.logprobs;
  const top = topAsked(b);
  if (top > 0) t.top_logprobs = top;
  return t;
}

/**
 * The alternatives a chat request really asks for: OpenAI reports `top_logprobs` only inside
 * `logprobs`, so without `logprobs: true` the engine is not asked to compute any.
 */
export function topAsked(b: ChatCompletionBody): number {
  return b.logprobs === true ? (b.top_logprobs ?? 0) : 0;
}

export function completionToTask(b: CompletionBody): TaskRequestInput {
  const t = sampling(b);
  t.prompt = typeof b.prompt === 'string' ? b.prompt : (b.prompt[0] ?? '');
  if (b.max_tokens != null) t.max_tokens = b.max_tokens;
  // Legacy `logprobs: n` asks for the n most likely alternatives at each position, as well as the token.
  if (b.logprobs != null && b.logprobs > 0) {
    t.logprobs = true;
    t.top_logprobs = b.logprobs;
  }
  return t;
}

/** Whether tool calls may come back, so content must be held until the job says which it was. */
export function toolsActive(b: ChatCompletionBody): boolean {
  return Boolean(b.tools?.length) && b.tool_choice !== 'none';
}
