// An engine that plays back a fixed list of source events, for wire details MockAdapter cannot
// produce (special tokens, token ids).
import {
  AdapterBase,
  type AdapterProps,
  type HealthReport,
  type SourceEvent,
  type TaskRequest,
} from '@orch/adapter-api';

export class ScriptedAdapter extends AdapterBase {
  readonly engine = 'scripted';
  readonly id = 'scripted-0';

  constructor(private readonly script: SourceEvent[]) {
    super();
  }

  protected modelFor(task: TaskRequest): string {
    return task.model ?? 'scripted-model';
  }

  protected engineVersion(): string {
    return '1.0.0';
  }

  async health(): Promise<HealthReport> {
    return { state: 'healthy', live: true, ready: true, latencyMs: 0, checkedAt: Date.now() };
  }

  async props(): Promise<AdapterProps> {
    return {
      engine: this.engine,
      engineVersion: '1.0.0',
      modelId: 'scripted-model',
      capabilities: { chat: true, tools: false, grammar: false, logprobs: true, streaming: true },
    };
  }

  protected async *run(): AsyncGenerator<SourceEvent> {
    for (const ev of this.script) yield ev;
  }
}
