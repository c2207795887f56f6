import type { CancelSignal } from '@orch/adapter-api';
import { invalidRequestFromZod, OrchError } from '@orch/adapter-api';
import type { PipelineHandle } from '../engine/pipeline-handle.js';
import { pipelineTaskOf, type Task } from './model-record.js';
import { TaskInputSchemas, type TaskOutput, TaskOutputSchemas } from './task-schemas.js';

type Params = Record<string, string | number | boolean>;

/** Validates a task input (record defaults merged under the call's parameters), runs it, checks the output. */
export async function callPipeline<T extends Task>(
  handle: PipelineHandle,
  task: T,
  input: unknown,
  defaults: Params,
  call: { timeoutMs: number; signal?: CancelSignal },
): Promise<TaskOutput<T>> {
  const schema = TaskInputSchemas[task];
  const merged =
    typeof input === 'object' && input !== null
      ? {
          ...input,
          parameters: { ...defaults, ...((input as { parameters?: object }).parameters ?? {}) },
        }
      : input;
  const parsed = schema.safeParse(merged);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error);
  const data = parsed.data as {
    inputs?: string | { question: string; context: string };
    messages?: { role: string; content: string }[];
    parameters?: Params;
  };
  const params = data.parameters ?? {};
  let args: unknown[];
  if (task === 'conversational') args = [data.messages, params];
  else if (task === 'question-answering') {
    const qa = data.inputs as { question: string; context: string };
    args = [qa.question, qa.context];
  } else args = [data.inputs, params];

  const raw = await handle.run(pipelineTaskOf(task), args, call.timeoutMs, call.signal);
  const shaped = task === 'conversational' ? lastAssistantMessage(raw) : raw;
  const out = TaskOutputSchemas[task].safeParse(shaped);
  if (!out.success) {
    throw new OrchError('PROTOCOL', `The ${task} pipeline returned an unexpected shape`, {
      retriable: false,
    });
  }
  return out.data as TaskOutput<T>;
}

function lastAssistantMessage(raw: unknown): unknown {
  const first = Array.isArray(raw) ? (raw[0] as { generated_text?: unknown } | undefined) : undefined;
  const messages = first?.generated_text;
  if (!Array.isArray(messages)) return raw;
  const last = messages.at(-1) as { role?: unknown; content?: unknown } | undefined;
  if (last?.role !== 'assistant' || typeof last.content !== 'string') return raw;
  return { message: { role: 'assistant', content: last.content.trim() } };
}
