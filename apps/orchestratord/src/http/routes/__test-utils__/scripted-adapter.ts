// An engine that plays back a fixed list of source events, for wire details MockAdapter cannot
// produce (special tokens, token ids).
import type { SourceEvent } from '@orch/adapter-api';
import { FixedAdapter } from './fixed-adapter.js';

export class ScriptedAdapter extends FixedAdapter {
  constructor(private readonly script: SourceEvent[]) {
    super('scripted', 'scripted-0', 'scripted-model', {
      chat: true,
      tools: false,
      grammar: false,
      logprobs: true,
      streaming: true,
    });
  }

  protected async *run(): AsyncGenerator<SourceEvent> {
    for (const ev of this.script) yield ev;
  }
}
