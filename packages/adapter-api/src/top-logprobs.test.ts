import { describe, expect, it } from 'vitest';
import type { AdapterProps, HealthReport } from './adapter.js';
import { AdapterBase, type SourceContext } from './adapter-base.js';
import { isOrchError } from './errors.js';
import { type SourceYield, type TokenEvent, TokenEventSchema, type TokenTextEvent } from './events.js';
import type { TaskRequest } from './task.js';
import { MockAdapter, mockAlternatives } from './testing/mock-adapter.js';

/** Yields its script as given: single events and batches, some tokens with alternatives, some without. */
class BatchAdapter extends AdapterBase {
  readonly engine = 'batch';
  readonly id = 'batch-0';
  constructor(private readonly script: SourceYield[]) {
    super();
  }
  protected modelFor(): string {
    return 'm';
  }
  protected engineVersion(): string {
    return '1';
  }
  protected async *run(_task: TaskRequest, _ctx: SourceContext): AsyncGenerator<SourceYield> {
    for (const y of this.script) yield y;
  }
  async health(): Promise<HealthReport> {
    return { state: 'healthy', live: true, ready: true, latencyMs: 0, checkedAt: Date.now() };
  }
  async props(): Promise<AdapterProps> {
    const capabilities = { chat: false, tools: false, grammar: false, logprobs: true, streaming: true };
    return { engine: this.engine, engineVersion: '1', modelId: 'm', capabilities };
  }
}

const tokensOf = (events: TokenEvent[]): TokenTextEvent[] =>
  events.filter((e): e is TokenTextEvent => e.type === 'token');

async function collect(stream: AsyncIterable<TokenEvent>): Promise<TokenEvent[]> {
  const out: TokenEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

const alt = (text: string, logprob: number) => ({ text, logprob });

describe('top-logprob alternatives on token events', () => {
  it('[ADAPTER-LOGPROB-1] a task with top_logprobs gets each token’s alternatives, most likely first', async () => {
    const a = new MockAdapter();
    const events = await collect(a.submit({ prompt: 'x', top_logprobs: 3 }));
    const tokens = tokensOf(events);
    expect(tokens).toHaveLength(4);
    expect(tokens[0]?.top_logprobs).toEqual([
      { id: 101, text: 'Hello', logprob: -0.5 },
      { id: 901, text: ' alt1', logprob: -1.5 },
      { id: 902, text: ' alt2', logprob: -2.5 },
    ]);
    expect(tokens.every((t) => t.top_logprobs?.length === 3)).toBe(true);
    for (const ev of events) expect(TokenEventSchema.safeParse(ev).success).toBe(true);
  });

  it('[ADAPTER-LOGPROB-1] without top_logprobs there is no list (not even an empty one)', async () => {
    const a = new MockAdapter();
    for (const task of [{ prompt: 'x' }, { prompt: 'x', logprobs: true }, { prompt: 'x', top_logprobs: 0 }]) {
      const tokens = tokensOf(await collect(a.submit(task)));
      // Undefined rather than absent would be the same on the wire (JSON leaves it out).
      expect(tokens.every((t) => t.top_logprobs === undefined)).toBe(true);
    }
  });

  it('[ADAPTER-LOGPROB-1] listeners see the same alternatives as the iterator (the daemon listens)', async () => {
    const a = new MockAdapter();
    const stream = a.submit({ prompt: 'x', top_logprobs: 2 });
    const seen: Array<number | undefined> = [];
    const viaToken: Array<number | undefined> = [];
    stream.on('event', (ev) => {
      if (ev.type === 'token') seen.push(ev.top_logprobs?.length);
    });
    stream.on('token', (ev) => viaToken.push(ev.top_logprobs?.length));
    await stream.result;
    expect(seen).toEqual([2, 2, 2, 2]);
    expect(viaToken).toEqual([2, 2, 2, 2]);
  });

  it('[ADAPTER-LOGPROB-1] alternatives stay with their token across batches and tokens that have none', async () => {
    const a = new BatchAdapter([
      { type: 'started' },
      [
        { type: 'token', text: 'a', top_logprobs: [alt('a', -0.1), alt('b', -2)] },
        { type: 'token', text: 'c' },
      ],
      { type: 'token', text: 'd', top_logprobs: [alt('d', -0.3)] },
      [
        { type: 'token', text: 'e', top_logprobs: [alt('e', -0.4), { text: 'f', logprob: null }] },
        { type: 'end', finish_reason: 'stop' },
        { type: 'token', text: 'dropped', top_logprobs: [alt('x', -1)] },
      ],
    ]);
    const tokens = tokensOf(await collect(a.submit({ prompt: 'x', top_logprobs: 2 })));
    expect(tokens.map((t) => [t.index, t.text, t.top_logprobs?.map((x) => x.text)])).toEqual([
      [0, 'a', ['a', 'b']],
      [1, 'c', undefined],
      [2, 'd', ['d']],
      [3, 'e', ['e', 'f']],
    ]);
    // An engine's NaN (null) is kept, as for the token's own logprob.
    expect(tokens[3]?.top_logprobs?.[1]).toEqual({ text: 'f', logprob: null });
  });

  it('[ADAPTER-LOGPROB-1] [ADAPTER-CANCEL-3] leaving the loop still cancels the job at the engine', async () => {
    const a = new MockAdapter({ tokenDelayMs: 5, tokens: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const aborted = a.nextAbort();
    const stream = a.submit({ prompt: 'x', top_logprobs: 2 });
    for await (const ev of stream) {
      if (ev.type === 'token') {
        expect(ev.top_logprobs).toHaveLength(2);
        break;
      }
    }
    await aborted;
    expect(a.abortsObserved).toBe(1);
    expect(await stream.result).toMatchObject({ type: 'error', code: 'CANCELLED' });
  });

  it('[ADAPTER-LOGPROB-1] the schema checks alternatives; mockAlternatives puts the token first', () => {
    const base = { type: 'token', job_id: 'j', index: 0, text: 'a' };
    expect(TokenEventSchema.safeParse({ ...base, top_logprobs: [{ text: 'a', logprob: -1 }] }).success).toBe(
      true,
    );
    expect(TokenEventSchema.safeParse({ ...base, top_logprobs: [{ text: 'a', logprob: 'x' }] }).success).toBe(
      false,
    );
    expect(TokenEventSchema.safeParse({ ...base, top_logprobs: [{ logprob: -1 }] }).success).toBe(false);
    expect(mockAlternatives('t', 7, 1)).toEqual([{ id: 7, text: 't', logprob: -0.5 }]);
  });

  it('[ADAPTER-TASK-1] top_logprobs is 0..20 and cannot be combined with logprobs: false', () => {
    const a = new MockAdapter();
    for (const [task, field] of [
      [{ prompt: 'x', top_logprobs: 21 }, 'top_logprobs'],
      [{ prompt: 'x', top_logprobs: 2, logprobs: false }, 'top_logprobs'],
      [{ prompt: 'x', top_logprobs: 1.5 }, 'top_logprobs'],
    ] as const) {
      let thrown: unknown;
      try {
        a.submit(task);
      } catch (e) {
        thrown = e;
      }
      expect(isOrchError(thrown) && [thrown.code, thrown.field]).toEqual(['INVALID_REQUEST', field]);
    }
  });
});
