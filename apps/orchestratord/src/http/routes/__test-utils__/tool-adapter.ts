// An engine that answers every task with one tool call, streamed as argument tokens the way the
// tgi-http adapter relays TGI's tool-call deltas (tokens carry the arguments; `end` carries the calls).
import type { SourceEvent, TaskRequest } from '@orch/adapter-api';
import { FixedAdapter } from './fixed-adapter.js';

export class ToolAdapter extends FixedAdapter {
  readonly tasks: TaskRequest[] = [];

  constructor() {
    super('mock-tools', 'tools-0', 'tool-model', {
      chat: true,
      tools: true,
      grammar: false,
      logprobs: false,
      streaming: true,
    });
  }

  protected async *run(task: TaskRequest): AsyncGenerator<SourceEvent> {
    this.tasks.push(task);
    const name = task.tools?.[0]?.function.name;
    yield { type: 'started' };
    if (!name) {
      yield { type: 'token', text: 'no tools' };
      yield { type: 'end', finish_reason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 1 } };
      return;
    }
    const parts = ['{"location":', ' "Paris"}'];
    for (const text of parts) yield { type: 'token', text };
    yield {
      type: 'end',
      finish_reason: 'tool_calls',
      text: '',
      tool_calls: [{ id: 'call_0', type: 'function', function: { name, arguments: parts.join('') } }],
      usage: { prompt_tokens: 7, completion_tokens: parts.length },
    };
  }
}
