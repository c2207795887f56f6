import { EventEmitter } from 'node:events';
import { cancelledError, OrchError, toOrchError } from './errors.js';
import type {
  EndEvent,
  ErrorEvent,
  SourceEvent,
  SourceYield,
  StartedEvent,
  TokenEvent,
  TokenTextEvent,
} from './events.js';
import type { Timeouts } from './task.js';

export type TokenStreamEventMap = {
  started: [StartedEvent];
  token: [TokenTextEvent];
  end: [EndEvent];
  error: [ErrorEvent];
  /** Every event, in order. */
  event: [TokenEvent];
};

export type TerminalEvent = EndEvent | ErrorEvent;

export interface TokenStreamHooks {
  /** Called once, when the stream settles, whatever the way. */
  onSettle?(terminal: TerminalEvent, stream: TokenStream): void;
}

export interface TokenStreamInit {
  jobId: string;
  engine: string;
  model: string;
  engineVersion?: string;
  signal?: AbortSignal;
  timeouts?: Timeouts;
  /**
   * The adapter's side: yields SourceEvents (or arrays of them, e.g. all events of one network
   * read), must stop (and close its socket) when `signal`
   * aborts, and throws OrchError for failures. It never sees the consumer directly.
   */
  source: (signal: AbortSignal) => AsyncIterable<SourceYield>;
  hooks?: TokenStreamHooks;
  now?: () => number;
}

const noop = (): void => {};

/**
 * The one place that enforces the stream invariants (ADAPTER-STREAM-*): `started` first, tokens
 * numbered from 0, exactly one terminal event, nothing after it; a failure after the first token
 * is an `error`; cancel and deadlines abort the source so its socket closes.
 *
 * Consume it once: either iterate it, or only listen (draining starts on the microtask after the
 * first listener is added, unless iteration has begun by then).
 */
export class TokenStream extends EventEmitter<TokenStreamEventMap> implements AsyncIterable<TokenEvent> {
  readonly jobId: string;
  /** Resolves with the terminal event; never rejects. */
  readonly result: Promise<TerminalEvent>;

  private readonly init: TokenStreamInit;
  private readonly controller = new AbortController();
  private readonly now: () => number;
  private resolveResult!: (t: TerminalEvent) => void;
  private consumed = false;
  private drainScheduled = false;
  private settled: TerminalEvent | undefined;
  private tokensEmitted = 0;
  private readonly onUserAbort: () => void;

  constructor(init: TokenStreamInit) {
    super();
    this.init = init;
    this.jobId = init.jobId;
    this.now = init.now ?? performance.now.bind(performance);
    this.result = new Promise((resolve) => {
      this.resolveResult = resolve;
    });
    this.onUserAbort = () => this.cancel();
    if (init.signal?.aborted) {
      queueMicrotask(() => this.cancel());
    } else {
      init.signal?.addEventListener('abort', this.onUserAbort, { once: true });
    }
  }

  get isSettled(): boolean {
    return this.settled !== undefined;
  }

  get tokenCount(): number {
    return this.tokensEmitted;
  }

  /** Cancels the job: the source is aborted and the stream ends with `error` CANCELLED. */
  cancel(reason: OrchError = cancelledError()): void {
    if (this.settled) return;
    if (!this.consumed) {
      // Never started: nothing upstream to close, settle right here.
      this.consumed = true;
      const started = this.startedEvent({ type: 'started' });
      this.deliver(started);
      this.settle(this.errorEvent(reason));
      return;
    }
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  override on<K extends keyof TokenStreamEventMap>(
    event: K,
    listener: (...args: TokenStreamEventMap[K]) => void,
  ): this {
    super.on(event, listener as never);
    this.scheduleDrain();
    return this;
  }

  override once<K extends keyof TokenStreamEventMap>(
    event: K,
    listener: (...args: TokenStreamEventMap[K]) => void,
  ): this {
    super.once(event, listener as never);
    this.scheduleDrain();
    return this;
  }

  [Symbol.asyncIterator](): AsyncGenerator<TokenEvent, void, undefined> {
    if (this.consumed) throw new Error(`TokenStream ${this.jobId} is already being consumed`);
    this.consumed = true;
    return this.run();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      if (this.consumed) return;
      this.consumed = true;
      void (async () => {
        for await (const _ of this.run()) {
          // Listeners already saw the event in deliver().
        }
      })();
    });
  }

  private async *run(): AsyncGenerator<TokenEvent, void, undefined> {
    const signal = this.controller.signal;
    const st: RunState = { t0: this.now(), firstTokenAt: 0, started: false, terminal: undefined, texts: [] };
    const { timeouts } = this.init;

    // Each pull races the source against the abort through a fresh promise (not Promise.race on a
    // long-lived one, whose reactions pile up per token), so a source that ignores its signal
    // still cannot keep the consumer waiting after a cancel or a deadline.
    let rejectPending: ((e: unknown) => void) | undefined;
    const onAbort = () => rejectPending?.(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });

    const fire = (phase: 'first_token' | 'idle' | 'total', ms: number) => () => {
      const what =
        phase === 'first_token' ? 'the first token' : phase === 'idle' ? 'the next token' : 'the end';
      this.controller.abort(
        new OrchError('TIMEOUT', `Timed out after ${ms} ms waiting for ${what}`, { timeoutPhase: phase }),
      );
    };
    const totalTimer = timeouts?.total_ms
      ? setTimeout(fire('total', timeouts.total_ms), timeouts.total_ms)
      : undefined;
    st.phaseTimer = timeouts?.first_token_ms
      ? setTimeout(fire('first_token', timeouts.first_token_ms), timeouts.first_token_ms)
      : undefined;
    st.idleMs = timeouts?.idle_ms;
    st.onIdle = st.idleMs ? fire('idle', st.idleMs) : undefined;

    let iterator: AsyncIterator<SourceYield> | undefined;
    let sourceDone = false;
    try {
      iterator = this.init.source(signal)[Symbol.asyncIterator]();
      const it = iterator;
      while (st.terminal === undefined) {
        let step: IteratorResult<SourceYield>;
        try {
          step = await new Promise<IteratorResult<SourceYield>>((resolve, reject) => {
            rejectPending = reject;
            it.next().then(resolve, reject);
          });
        } catch (err) {
          sourceDone = !signal.aborted;
          st.terminal = this.errorEvent(signal.aborted ? toOrchError(signal.reason) : toOrchError(err));
          break;
        }
        if (signal.aborted) {
          st.terminal = this.errorEvent(toOrchError(signal.reason));
          break;
        }
        if (step.done) {
          sourceDone = true;
          st.terminal = this.errorEvent(
            new OrchError('PROTOCOL', 'The engine stream ended without a final event', {
              retriable: this.tokensEmitted === 0,
            }),
          );
          break;
        }
        // Sources may hand over everything one network read produced at once: one await per
        // read, not per token.
        const batch = step.value;
        const list: readonly SourceEvent[] = Array.isArray(batch) ? batch : [batch as SourceEvent];
        for (const ev of list) {
          if (signal.aborted || st.terminal !== undefined) break;
          if (!st.started) {
            st.started = true;
            yield this.deliver(this.startedEvent(ev.type === 'started' ? ev : { type: 'started' }));
            if (ev.type === 'started') continue;
          }
          const out = this.handle(ev, st);
          if (out) yield this.deliver(out);
        }
        if (signal.aborted && st.terminal === undefined) {
          st.terminal = this.errorEvent(toOrchError(signal.reason));
        }
      }
      if (!st.started) yield this.deliver(this.startedEvent({ type: 'started' }));
      const final = st.terminal;
      this.settle(final);
      yield final;
    } finally {
      if (totalTimer) clearTimeout(totalTimer);
      if (st.phaseTimer) clearTimeout(st.phaseTimer);
      signal.removeEventListener('abort', onAbort);
      if (!this.settled) {
        // The consumer left early (break / return): that is a cancel.
        const reason = cancelledError('The consumer stopped reading the stream');
        if (!signal.aborted) this.controller.abort(reason);
        this.settle(this.errorEvent(reason));
      } else if (!signal.aborted && st.terminal?.type === 'error') {
        this.controller.abort(new OrchError(st.terminal.code, st.terminal.message));
      }
      if (iterator && !sourceDone) {
        // Let the source release its socket; a source stuck in return() must not hold us.
        iterator.return?.().catch(noop);
      }
    }
  }

  /** One non-terminal or terminal source event → the event to deliver (undefined: nothing). */
  private handle(ev: SourceEvent, st: RunState): TokenEvent | undefined {
    if (ev.type === 'started') return undefined;
    if (ev.type === 'token') {
      if (this.tokensEmitted === 0) {
        st.firstTokenAt = this.now();
        if (st.phaseTimer) clearTimeout(st.phaseTimer);
        st.phaseTimer = st.onIdle ? setTimeout(st.onIdle, st.idleMs) : undefined;
      } else {
        st.phaseTimer?.refresh();
      }
      const token: TokenTextEvent = {
        type: 'token',
        job_id: this.jobId,
        index: this.tokensEmitted++,
        text: ev.text,
      };
      if (ev.token_id !== undefined) token.token_id = ev.token_id;
      if (ev.logprob !== undefined) token.logprob = ev.logprob;
      if (ev.special !== undefined) token.special = ev.special;
      if (st.texts && !ev.special) st.texts.push(ev.text);
      return token;
    }
    const end = this.now();
    const completion = ev.usage?.completion_tokens ?? this.tokensEmitted;
    const decodeMs = st.firstTokenAt ? end - st.firstTokenAt : 0;
    const endEvent: EndEvent = {
      type: 'end',
      job_id: this.jobId,
      finish_reason: ev.finish_reason,
      text: ev.text ?? (st.texts ?? []).join(''),
      usage: { completion_tokens: completion },
      metrics: {
        ttft_ms: round(st.firstTokenAt ? st.firstTokenAt - st.t0 : end - st.t0),
        total_ms: round(end - st.t0),
        tokens_per_second: decodeMs > 0 && completion > 1 ? round(((completion - 1) * 1000) / decodeMs) : 0,
      },
    };
    if (ev.usage?.prompt_tokens !== undefined) endEvent.usage.prompt_tokens = ev.usage.prompt_tokens;
    if (ev.tool_calls?.length) endEvent.tool_calls = ev.tool_calls;
    st.texts = undefined;
    st.terminal = endEvent;
    // The terminal event is delivered by run() after settle, not here.
    return undefined;
  }

  private startedEvent(ev: Extract<SourceEvent, { type: 'started' }>): StartedEvent {
    const started: StartedEvent = {
      type: 'started',
      job_id: this.jobId,
      engine: this.init.engine,
      engine_version: ev.engine_version ?? this.init.engineVersion ?? 'unknown',
      model: ev.model ?? this.init.model,
    };
    if (ev.replica_id !== undefined) started.replica_id = ev.replica_id;
    return started;
  }

  private errorEvent(err: OrchError): ErrorEvent {
    const ev: ErrorEvent = {
      type: 'error',
      job_id: this.jobId,
      code: err.code,
      message: err.message,
      // Once a token reached the consumer the job cannot be replayed elsewhere.
      retriable: err.retriable && this.tokensEmitted === 0,
      tokens_emitted: this.tokensEmitted,
    };
    if (err.status !== undefined) ev.status = err.status;
    if (err.retryAfterMs !== undefined) ev.retry_after_ms = err.retryAfterMs;
    if (err.timeoutPhase !== undefined) ev.timeout_phase = err.timeoutPhase;
    return ev;
  }

  private deliver<E extends TokenEvent>(ev: E): E {
    if (ev.type !== 'error' || this.listenerCount('error') > 0) this.emit(ev.type, ev as never);
    this.emit('event', ev);
    return ev;
  }

  private settle(terminal: TerminalEvent): void {
    if (this.settled) return;
    this.settled = terminal;
    this.init.signal?.removeEventListener('abort', this.onUserAbort);
    try {
      // Listeners learn how the job ended even when the loop consuming it was abandoned.
      this.deliver(terminal);
      this.init.hooks?.onSettle?.(terminal, this);
    } finally {
      this.resolveResult(terminal);
    }
  }
}

interface RunState {
  t0: number;
  firstTokenAt: number;
  started: boolean;
  terminal: TerminalEvent | undefined;
  texts: string[] | undefined;
  phaseTimer?: NodeJS.Timeout | undefined;
  idleMs?: number | undefined;
  onIdle?: (() => void) | undefined;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function createTokenStream(init: TokenStreamInit): TokenStream {
  return new TokenStream(init);
}
