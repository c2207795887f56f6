import { OrchError, type TaskRequest } from '@orch/adapter-api';
import type { ChatMessage, GenerateRequest } from '../engine/worker-protocol.js';

const TWO_POW_53 = 2n ** 53n;

function unsupported(field: string, what: string): OrchError {
  return new OrchError('UNSUPPORTED', `${what} is not supported by the local-transformers engine`, {
    field,
    status: 400,
    retriable: false,
  });
}

function messagesOf(task: TaskRequest): ChatMessage[] | undefined {
  if (!task.messages) return undefined;
  return task.messages.map((m, i) => {
    if (m.tool_calls?.length) throw unsupported(`messages.${i}.tool_calls`, 'tool calls');
    let content = '';
    if (typeof m.content === 'string') content = m.content;
    else if (Array.isArray(m.content)) {
      content = m.content
        .map((part, j) => {
          if (part.type !== 'text') throw unsupported(`messages.${i}.content.${j}`, 'image input');
          return part.text;
        })
        .join('');
    }
    return { role: m.role, content };
  });
}

/** Maps a validated task onto the worker's generation request; refuses what the engine cannot do. */
export function taskToRequest(
  task: TaskRequest,
  defaultMaxTokens: number,
): Omit<GenerateRequest, 'type' | 'seq'> {
  if (task.tools?.length) throw unsupported('tools', 'tool use');
  if (task.response_format) throw unsupported('response_format', 'constrained output');
  if (task.logprobs) throw unsupported('logprobs', 'logprobs');
  // top_logprobs implies logprobs; asked alone it is still refused, under its own name.
  if (task.top_logprobs) throw unsupported('top_logprobs', 'top_logprobs');
  if (task.frequency_penalty) throw unsupported('frequency_penalty', 'frequency_penalty');
  if (task.presence_penalty) throw unsupported('presence_penalty', 'presence_penalty');
  const temperature = task.temperature;
  // OpenAI-style: a positive temperature means sampling unless do_sample says otherwise; 0 is greedy.
  const doSample = (task.do_sample ?? (temperature !== undefined && temperature > 0)) && temperature !== 0;
  const req: Omit<GenerateRequest, 'type' | 'seq'> = {
    maxNewTokens: task.max_tokens ?? defaultMaxTokens,
    doSample,
    stop: task.stop ?? [],
  };
  const messages = messagesOf(task);
  if (messages) req.messages = messages;
  else req.prompt = task.prompt ?? '';
  if (doSample) {
    if (temperature !== undefined) req.temperature = temperature;
    if (task.top_p !== undefined) req.topP = task.top_p;
    if (task.top_k !== undefined) req.topK = task.top_k;
    // MT19937 is seeded from a double: fold a u64 into 53 bits so every seed stays reproducible.
    if (task.seed !== undefined) req.seed = Number(BigInt(task.seed) % TWO_POW_53);
  }
  if (task.repetition_penalty !== undefined) req.repetitionPenalty = task.repetition_penalty;
  return req;
}
