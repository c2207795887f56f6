import { describe, expect, it } from 'vitest';
import type { AdapterProps, HealthReport } from './adapter.js';
import { AdapterBase, type SourceContext } from './adapter-base.js';
import type { SourceEvent } from './events.js';
import type { TaskRequest } from './task.js';

/** Records how each job was asked for, and answers after `delayMs`. */
class RecordingAdapter extends AdapterBase {
  readonly engine = 'recording';
  readonly id = 'rec-0';
  readonly calls: boolean[] = [];
  constructor(private readonly delayMs: number) {
    super();
  }
  protected modelFor(): string {
    return 'm';
  }
  protected engineVersion(): string {
    return '1';
  }
  protected async *run(_task: TaskRequest, ctx: SourceContext): AsyncGenerator<SourceEvent> {
    this.calls.push(ctx.nonStreaming);
    await new Promise((r) => setTimeout(r, this.delayMs));
    yield { type: 'token', text: 'whole answer' };
    yield { type: 'end', finish_reason: 'stop' };
  }
  async health(): Promise<HealthReport> {
    return { state: 'healthy', live: true, ready: true, latencyMs: 0, checkedAt: Date.now() };
  }
  async props(): Promise<AdapterProps> {
    const capabilities = { chat: false, tools: false, grammar: false, logprobs: false, streaming: true };
    return { engine: this.engine, engineVersion: '1', modelId: 'm', capabilities };
  }
}

describe('AdapterBase', () => {
  it('[ADAPTER-API-2] stream:false (or generate with stream:false) asks the engine for a one-shot answer', async () => {
    const a = new RecordingAdapter(0);
    await a.generate({ prompt: 'x' });
    await a.generate({ prompt: 'x' }, { stream: false });
    await a.submit({ prompt: 'x', stream: false }).result;
    await a.submit({ prompt: 'x' }).result;
    expect(a.calls).toEqual([false, true, true, false]);
  });

  it('[ADAPTER-API-2] a one-shot call is held only to its total deadline', async () => {
    const a = new RecordingAdapter(60);
    const timeouts = { first_token_ms: 20, idle_ms: 20 };
    const oneShot = await a.submit({ prompt: 'x', stream: false, timeouts }).result;
    expect(oneShot.type).toBe('end');
    const streamed = await a.submit({ prompt: 'x', timeouts }).result;
    expect(streamed).toMatchObject({ type: 'error', code: 'TIMEOUT', timeout_phase: 'first_token' });
    const capped = await a.submit({ prompt: 'x', stream: false, timeouts: { total_ms: 20 } }).result;
    expect(capped).toMatchObject({ type: 'error', code: 'TIMEOUT', timeout_phase: 'total' });
  });
});
