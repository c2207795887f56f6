import type { AdapterProps, HealthReport, HealthState } from '../adapter.js';
import { AdapterBase, type SourceContext } from '../adapter-base.js';
import type { CancelSignal } from '../canceller.js';
import { OrchError } from '../errors.js';
import type { FinishReason, SourceEvent, TopLogprob } from '../events.js';
import type { TaskRequest } from '../task.js';

export interface MockFaults {
  /** Milliseconds between tokens (0: as fast as the event loop allows). */
  tokenDelayMs?: number;
  /** Milliseconds before the first token. */
  firstTokenDelayMs?: number;
  /** Fail with this error before anything was streamed. */
  failBeforeStart?: OrchError;
  /** Fail with `error` after `after` tokens were streamed. */
  failAfterTokens?: { after: number; error: OrchError };
  /** Stop producing (until cancelled) before the first token, or after N tokens. */
  hang?: { afterTokens: number };
  health?: HealthState;
  /** Total slots; props() reports total and free. */
  slots?: number;
}

export interface MockAdapterOptions extends MockFaults {
  id?: string;
  engine?: string;
  model?: string;
  engineVersion?: string;
  /** The scripted tokens (default: 'Hello', ',', ' world', '!'). */
  tokens?: string[];
  finishReason?: FinishReason;
}

/**
 * An engine in memory, with the faults the conformance suite and the daemon's tests need. It
 * goes through the same AdapterBase/TokenStream as the real adapters, so it obeys the contract
 * by construction, not by imitation.
 */
export class MockAdapter extends AdapterBase {
  readonly engine: string;
  readonly id: string;
  /** How many jobs saw their abort signal fire while running (what "closing the socket" is here). */
  abortsObserved = 0;
  /** The tasks the adapter ran, in order (the last 1000: long benchmarks must not grow it). */
  readonly tasks: TaskRequest[] = [];
  private readonly model: string;
  private readonly version: string;
  private tokens: string[];
  private finishReason: FinishReason;
  private faults: MockFaults;
  private abortWaiters: Array<() => void> = [];

  constructor(options: MockAdapterOptions = {}) {
    super();
    this.engine = options.engine ?? 'mock';
    this.id = options.id ?? 'mock-0';
    this.model = options.model ?? 'mock-model';
    this.version = options.engineVersion ?? '1.0.0';
    this.tokens = options.tokens ?? ['Hello', ',', ' world', '!'];
    this.finishReason = options.finishReason ?? 'stop';
    this.faults = { ...options };
  }

  /** Changes the faults for the jobs that start from now on. */
  configure(faults: MockFaults & { tokens?: string[]; finishReason?: FinishReason }): void {
    if (faults.tokens) this.tokens = faults.tokens;
    if (faults.finishReason) this.finishReason = faults.finishReason;
    this.faults = { ...this.faults, ...faults };
  }

  /** Clears every fault. */
  reset(): void {
    this.faults = { slots: this.faults.slots, health: 'healthy' };
  }

  /** Resolves at the next abort a running job observes. */
  nextAbort(): Promise<void> {
    return new Promise((resolve) => this.abortWaiters.push(resolve));
  }

  protected modelFor(task: TaskRequest): string {
    return task.model ?? this.model;
  }

  protected engineVersion(): string {
    return this.version;
  }

  async health(): Promise<HealthReport> {
    const state = this.faults.health ?? 'healthy';
    return {
      state,
      live: state !== 'unhealthy',
      ready: state === 'healthy',
      latencyMs: 0,
      checkedAt: Date.now(),
      ...(state === 'healthy' ? {} : { message: `mock is ${state}` }),
    };
  }

  async props(): Promise<AdapterProps> {
    const total = this.faults.slots;
    const props: AdapterProps = {
      engine: this.engine,
      engineVersion: this.version,
      modelId: this.model,
      maxInputTokens: 4096,
      maxTotalTokens: 8192,
      capabilities: { chat: true, tools: false, grammar: false, logprobs: true, streaming: true },
    };
    if (total !== undefined) {
      props.slotsTotal = total;
      props.slotsFree = Math.max(0, total - this.inFlight);
    }
    return props;
  }

  protected async *run(task: TaskRequest, ctx: SourceContext): AsyncGenerator<SourceEvent> {
    this.tasks.push(task);
    if (this.tasks.length > 1000) this.tasks.splice(0, this.tasks.length - 1000);
    const signal = ctx.cancel;
    const faults = this.faults;
    const onAbort = () => {
      this.abortsObserved++;
      const waiters = this.abortWaiters;
      this.abortWaiters = [];
      for (const w of waiters) w();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (faults.failBeforeStart) throw faults.failBeforeStart;
      yield { type: 'started', engine_version: this.version };
      const limit = task.max_tokens ?? Number.POSITIVE_INFINITY;
      const top = task.top_logprobs ?? 0;
      let text = '';
      let finish: FinishReason = this.finishReason;
      let i = 0;
      for (const token of this.tokens) {
        if (i >= limit) {
          finish = 'length';
          break;
        }
        if (faults.hang && i === faults.hang.afterTokens) await waitForAbort(signal);
        if (faults.failAfterTokens && i === faults.failAfterTokens.after) throw faults.failAfterTokens.error;
        const delay = i === 0 ? (faults.firstTokenDelayMs ?? faults.tokenDelayMs) : faults.tokenDelayMs;
        if (delay) await sleep(delay, signal);
        if (signal.aborted) return;
        text += token;
        i++;
        const ev: SourceEvent = { type: 'token', text: token, token_id: 100 + i, logprob: -0.5 };
        if (top > 0) ev.top_logprobs = mockAlternatives(token, 100 + i, top);
        yield ev;
        const stop = task.stop?.find((s) => text.endsWith(s));
        if (stop) {
          finish = 'stop_sequence';
          break;
        }
      }
      if (faults.hang && i === faults.hang.afterTokens) await waitForAbort(signal);
      if (faults.failAfterTokens && i === faults.failAfterTokens.after) throw faults.failAfterTokens.error;
      const promptTokens = (task.prompt ?? JSON.stringify(task.messages ?? [])).split(/\s+/).length;
      yield {
        type: 'end',
        finish_reason: finish,
        text,
        usage: { prompt_tokens: promptTokens, completion_tokens: i },
      };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

function sleep(ms: number, signal: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function waitForAbort(signal: CancelSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * The alternatives the mock reports when a task asks for `top_logprobs`: the token itself first,
 * then ` alt1`, ` alt2`, … each one nat less likely than the one before.
 */
export function mockAlternatives(text: string, id: number, n: number): TopLogprob[] {
  const out: TopLogprob[] = [{ id, text, logprob: -0.5 }];
  for (let k = 1; k < n; k++) out.push({ id: 900 + k, text: ` alt${k}`, logprob: -0.5 - k });
  return out;
}

/** Shorthand for the errors tests inject. */
export function mockError(code: OrchError['code'], message = `mock ${code}`, status?: number): OrchError {
  return new OrchError(code, message, status === undefined ? {} : { status });
}
