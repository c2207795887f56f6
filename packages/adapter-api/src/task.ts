import { z } from 'zod';
import { OrchError } from './errors.js';
import { flatUuid } from './flat-uuid.js';

const ToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({
    name: z.string().min(1),
    // Kept as the model produced it: a JSON string, parsed only by whoever needs the object.
    arguments: z.string(),
  }),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

const ContentPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) }),
]);

export const MessageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z
      .union([z.string(), z.array(ContentPartSchema)])
      .nullable()
      .optional(),
    name: z.string().optional(),
    tool_calls: z.array(ToolCallSchema).optional(),
    tool_call_id: z.string().optional(),
  })
  .superRefine((m, ctx) => {
    const hasContent = m.content !== undefined && m.content !== null;
    if (!hasContent && !(m.role === 'assistant' && m.tool_calls && m.tool_calls.length > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: 'content is required unless tool_calls is set',
      });
    }
    if (m.role === 'tool' && !m.tool_call_id) {
      ctx.addIssue({ code: 'custom', path: ['tool_call_id'], message: 'tool messages need tool_call_id' });
    }
  });
export type Message = z.infer<typeof MessageSchema>;

export const ToolSchema = z.object({
  type: z.literal('function').default('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type Tool = z.infer<typeof ToolSchema>;

export const ToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

export const ResponseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('json'), schema: z.record(z.string(), z.unknown()).optional() }),
  z.object({ type: z.literal('regex'), pattern: z.string().min(1) }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormatSchema>;

export const TimeoutsSchema = z
  .object({
    first_token_ms: z.number().int().positive().optional(),
    idle_ms: z.number().int().positive().optional(),
    total_ms: z.number().int().positive().optional(),
  })
  .strict();
export type Timeouts = z.infer<typeof TimeoutsSchema>;

/**
 * A u64 seed. JSON numbers above 2^53 lose precision in JSON.parse, so a seed may also come as a
 * decimal string or a bigint; it is kept as a decimal string internally and written raw on the wire.
 */
const SeedSchema = z
  .union([
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    z.string().regex(/^\d{1,20}$/),
    z.bigint(),
  ])
  .transform((v, ctx) => {
    const big = BigInt(v);
    if (big < 0n || big > 18446744073709551615n) {
      ctx.addIssue({ code: 'custom', message: 'seed must fit in an unsigned 64-bit integer' });
      return z.NEVER;
    }
    return big.toString();
  });

export const TaskRequestSchema = z
  .object({
    job_id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9._:-]+$/, 'job_id may hold letters, digits and . _ : - only')
      .optional(),
    model: z.string().min(1).optional(),
    prompt: z.string().optional(),
    messages: z.array(MessageSchema).min(1).optional(),
    max_tokens: z.number().int().positive().max(1_000_000).optional(),
    temperature: z.number().min(0).max(100).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    top_k: z.number().int().positive().optional(),
    repetition_penalty: z.number().positive().optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    stop: z.array(z.string().min(1)).max(16).optional(),
    seed: SeedSchema.optional(),
    do_sample: z.boolean().optional(),
    response_format: ResponseFormatSchema.optional(),
    tools: z.array(ToolSchema).optional(),
    tool_choice: ToolChoiceSchema.optional(),
    logprobs: z.boolean().optional(),
    top_logprobs: z.number().int().min(0).max(20).optional(),
    session_id: z.string().min(1).max(256).optional(),
    priority: z.enum(['interactive', 'batch']).default('interactive'),
    timeouts: TimeoutsSchema.optional(),
    stream: z.boolean().optional(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const hasPrompt = t.prompt !== undefined;
    const hasMessages = t.messages !== undefined;
    if (hasPrompt === hasMessages) {
      ctx.addIssue({
        code: 'custom',
        path: [hasPrompt ? 'messages' : 'prompt'],
        message: 'exactly one of prompt or messages is required',
      });
    }
    if (t.top_logprobs !== undefined && t.top_logprobs > 0 && t.logprobs === false) {
      ctx.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'top_logprobs needs logprobs' });
    }
    if (t.tool_choice && typeof t.tool_choice === 'object') {
      const name = t.tool_choice.function.name;
      if (!t.tools?.some((x) => x.function.name === name)) {
        ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: `no tool named ${name}` });
      }
    }
    if (t.tool_choice === 'required' && !t.tools?.length) {
      ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: 'tool_choice required needs tools' });
    }
  });

export type TaskRequestInput = z.input<typeof TaskRequestSchema>;
/** A validated task: `job_id` is always set. */
export type TaskRequest = z.output<typeof TaskRequestSchema> & { job_id: string };

/** Dotted field path of a zod issue, e.g. `messages.0.content`. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(root)' : path.map((p) => String(p)).join('.');
}

/** Turns a zod failure into one INVALID_REQUEST error naming the first offending field. */
export function invalidRequestFromZod(error: z.ZodError, prefix = ''): OrchError {
  const first = error.issues[0];
  const field = prefix + (first ? issuePath(first.path) : '(root)');
  const details = error.issues.map((i) => `${prefix}${issuePath(i.path)}: ${i.message}`).join('; ');
  return new OrchError('INVALID_REQUEST', `Invalid request: ${details}`, {
    field,
    retriable: false,
    status: 400,
  });
}

/**
 * Marks tasks this module produced. A daemon validates a task once at its edge and hands the same
 * object to an adapter, which would otherwise validate it again on the hot path. A non-enumerable
 * symbol on the task rather than a WeakSet of tasks: V8's scavenger walks a weak collection's
 * whole table, and entries for dead young keys stay in it until a full GC, so at 1000 tasks/s
 * every scavenge got slower until the next mark-compact (a WeakSet receiving 20k young keys per
 * tick: scavenge pauses 0.3 → 8.7 ms). Spreads and JSON skip it, so a copy is validated again.
 */
const VALIDATED: unique symbol = Symbol('orch.validatedTask');

function markValidated(task: object): void {
  Object.defineProperty(task, VALIDATED, { value: true, enumerable: false });
}

function isValidated(input: object): boolean {
  return (input as { [VALIDATED]?: boolean })[VALIDATED] === true;
}

/** Validates an external task. Throws `OrchError` INVALID_REQUEST that names the field. */
export function parseTask(input: unknown): TaskRequest {
  if (typeof input === 'object' && input !== null && isValidated(input)) return input as TaskRequest;
  const result = TaskRequestSchema.safeParse(input);
  if (!result.success) throw invalidRequestFromZod(result.error);
  // zod's output is a fresh object of ours: give it the id in place. A spread copy here got a hidden
  // class of its own per task in the daemon (megamorphic reads, ~220 B more per retained task).
  const out = result.data as TaskRequest;
  if (out.job_id === undefined) out.job_id = flatUuid();
  markValidated(out);
  return out;
}

/**
 * A validated task with other deadlines (e.g. a pool's defaults filled in): only the new
 * `timeouts` are checked, the rest is already known good. `undefined` removes them.
 */
export function withTimeouts(task: TaskRequest, timeouts: Timeouts | undefined): TaskRequest {
  if (!isValidated(task)) return parseTask({ ...task, timeouts });
  // Copied key by key: objects built by adding properties share hidden classes, where a spread at
  // a call site that sees many task shapes got a new one per copy (and `delete` another).
  const out = {} as Record<string, unknown>;
  for (const key in task) if (key !== 'timeouts') out[key] = (task as Record<string, unknown>)[key];
  if (timeouts !== undefined) {
    const checked = TimeoutsSchema.safeParse(timeouts);
    if (!checked.success) throw invalidRequestFromZod(checked.error, 'timeouts.');
    out.timeouts = checked.data;
  }
  markValidated(out);
  return out as TaskRequest;
}
