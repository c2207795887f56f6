import { EventEmitter } from 'node:events';
import { Canceller, type CancelSignal } from './canceller.js';
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
  /** The caller's cancel (any AbortSignal will do). */
  signal?: CancelSignal;
  timeouts?: Timeouts;
  /**
   * The adapter's side: yields SourceEvents (or arrays of them, e.g. all events of one network
   * read), must stop (and close its socket) when `cancel` aborts, and throws OrchError for
   * failures. It never sees the consumer directly. `cancel.signal` is a real AbortSignal for
   * APIs that need one.
   */
  source: (cancel: Canceller) => AsyncIterable<SourceYield>;
  /**
   * The source always puts the engine's final text on its `end` event, so the stream need not
   * keep every token's text for a fallback.
   */
  sourceProvidesText?: boolean;
  hooks?: TokenStreamHooks;
  now?: () => number;
}

const noop = (): void => {};
const DONE: IteratorResult<TokenEvent> = Object.freeze({ value: undefined, done: true });

type TimeoutPhaseName = 'first_token' | 'idle' | 'total';

/**
 * The one place that enforces the stream invariants (ADAPTER-STREAM-*): `started` first, tokens
 * numbered from 0, exactly one terminal event, nothing after it; a failure after the first token
 * is an `error`; cancel and deadlines abort the source so its socket closes.
 *
 * The iterator is written by hand rather than as an async generator: the source is pulled once
 * per batch (one network read) and the events of a batch are handed out from a queue, which costs
 * a resolved promise per token instead of a generator resumption.
 *
 * Consume it once: either iterate it, or only listen / await `result` (draining starts on the
 * microtask after the first listener is added or `result` is read, unless iteration has begun).
 */
export class TokenStream extends EventEmitter<TokenStreamEventMap> implements AsyncIterable<TokenEvent> {
  readonly jobId: string;
  private readonly resultPromise: Promise<TerminalEvent>;

  private readonly init: TokenStreamInit;
  private readonly canceller = new Canceller();
  private readonly now: () => number;
  private resolveResult!: (t: TerminalEvent) => void;
  private readonly onUserAbort: () => void;
  private consumed = false;
  private drainScheduled = false;
  private listening = false;
  private settled: TerminalEvent | undefined;
  /** Tokens taken from the source (they are numbered from this). */
  private tokensEmitted = 0;
  /** Tokens handed to the consumer. */
  private tokensDelivered = 0;

  // Run state, set up by begin().
  private iterator: AsyncIterator<SourceYield> | undefined;
  private sourceDone = false;
  private queue: TokenEvent[] = [];
  private queueIndex = 0;
  private started = false;
  private terminal: TerminalEvent | undefined;
  private finished = false;
  private abortSeen = false;
  private t0 = 0;
  private firstTokenAt = 0;
  private texts: string[] | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private phaseTimer: NodeJS.Timeout | undefined;
  private rejectPending: ((e: unknown) => void) | undefined;
  private readonly onAbort = (): void => this.rejectPending?.(this.canceller.reason);

  constructor(init: TokenStreamInit) {
    super();
    this.init = init;
    this.jobId = init.jobId;
    this.now = init.now ?? performance.now.bind(performance);
    this.resultPromise = new Promise((resolve) => {
      this.resolveResult = resolve;
    });
    this.onUserAbort = () => this.cancel();
    if (init.signal?.aborted) {
      queueMicrotask(() => this.cancel());
    } else {
      init.signal?.addEventListener('abort', this.onUserAbort, { once: true });
    }
  }

  /**
   * Resolves with the terminal event; never rejects. Asking for it counts as consuming: unless the
   * stream is iterated in the same tick, it is drained (listeners still see every event).
   */
  get result(): Promise<TerminalEvent> {
    this.scheduleDrain();
    return this.resultPromise;
  }

  get isSettled(): boolean {
    return this.settled !== undefined;
  }

  /** Tokens handed to the consumer so far. */
  get tokenCount(): number {
    return this.tokensDelivered;
  }

  /** Cancels the job: the source is aborted and the stream ends with `error` CANCELLED. */
  cancel(reason: OrchError = cancelledError()): void {
    if (this.settled) return;
    if (!this.consumed) {
      // Never started: nothing upstream to close, settle right here.
      this.consumed = true;
      this.finished = true;
      this.emitEvent(this.startedEvent({ type: 'started' }));
      this.settle(this.errorEvent(reason));
      return;
    }
    this.canceller.abort(reason);
  }

  override on<K extends keyof TokenStreamEventMap>(
    event: K,
    listener: (...args: TokenStreamEventMap[K]) => void,
  ): this {
    super.on(event, listener as never);
    this.listening = true;
    this.scheduleDrain();
    return this;
  }

  override addListener<K extends keyof TokenStreamEventMap>(
    event: K,
    listener: (...args: TokenStreamEventMap[K]) => void,
  ): this {
    return this.on(event, listener);
  }

  override once<K extends keyof TokenStreamEventMap>(
    event: K,
    listener: (...args: TokenStreamEventMap[K]) => void,
  ): this {
    super.once(event, listener as never);
    this.listening = true;
    this.scheduleDrain();
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<TokenEvent> {
    if (this.consumed) throw new Error(`TokenStream ${this.jobId} is already being consumed`);
    this.consumed = true;
    this.begin();
    const iterator: AsyncIterableIterator<TokenEvent> = {
      next: () => this.next(),
      return: () => this.leave(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      if (this.consumed) return;
      this.consumed = true;
      this.begin();
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    // Listeners see each event in step(); this loop only keeps pulling. The events of one batch are
    // handed out in one go (no promise per event); a cancel from a listener is still seen before
    // the next event, since step() checks the signal each time.
    for (;;) {
      const r = this.step();
      if (r === undefined) await this.pull();
      else if (r.done) return;
    }
  }

  private begin(): void {
    const signal = this.canceller;
    const { timeouts } = this.init;
    this.t0 = this.now();
    this.texts = this.init.sourceProvidesText ? undefined : [];
    signal.addEventListener('abort', this.onAbort, { once: true });
    if (timeouts?.total_ms)
      this.totalTimer = setTimeout(this.deadline('total', timeouts.total_ms), timeouts.total_ms);
    if (timeouts?.first_token_ms) {
      this.phaseTimer = setTimeout(
        this.deadline('first_token', timeouts.first_token_ms),
        timeouts.first_token_ms,
      );
    }
    try {
      this.iterator = this.init.source(signal)[Symbol.asyncIterator]();
    } catch (err) {
      this.sourceDone = true;
      this.terminal = this.errorEvent(toOrchError(err));
    }
  }

  private deadline(phase: TimeoutPhaseName, ms: number): () => void {
    return () => {
      const what =
        phase === 'first_token' ? 'the first token' : phase === 'idle' ? 'the next token' : 'the end';
      this.canceller.abort(
        new OrchError('TIMEOUT', `Timed out after ${ms} ms waiting for ${what}`, { timeoutPhase: phase }),
      );
    };
  }

  private next(): Promise<IteratorResult<TokenEvent>> {
    const r = this.step();
    return r === undefined ? this.pull().then(() => this.next()) : Promise.resolve(r);
  }

  /** The next event when one is ready (queued, or the terminal); undefined: the source must be pulled. */
  private step(): IteratorResult<TokenEvent> | undefined {
    for (;;) {
      if (this.finished) return DONE;
      const signal = this.canceller;
      if (signal.aborted && !this.abortSeen) {
        // Cancel or deadline: whatever is queued is dropped, so no token (nor a late `end`)
        // follows a cancel().
        this.abortSeen = true;
        this.tokensEmitted = this.tokensDelivered;
        this.queue = [];
        this.queueIndex = 0;
        if (this.terminal === undefined || this.terminal.type === 'end') {
          this.terminal = this.errorEvent(toOrchError(signal.reason));
        }
      }
      if (this.queueIndex < this.queue.length) {
        const ev = this.queue[this.queueIndex++] as TokenEvent;
        if (this.queueIndex === this.queue.length) {
          this.queue = [];
          this.queueIndex = 0;
        }
        if (ev.type === 'token') this.tokensDelivered++;
        if (this.listening) this.emitEvent(ev);
        return { value: ev, done: false };
      }
      if (this.terminal !== undefined) {
        if (!this.started) {
          this.started = true;
          this.queue.push(this.startedEvent({ type: 'started' }));
          continue;
        }
        const final = this.terminal;
        this.finish();
        this.settle(final);
        return { value: final, done: false };
      }
      return undefined;
    }
  }

  /** One step of the source: its batch becomes queued events (or the terminal event). */
  private async pull(): Promise<void> {
    const it = this.iterator as AsyncIterator<SourceYield>;
    const signal = this.canceller;
    let step: IteratorResult<SourceYield>;
    try {
      // A fresh promise per pull, rejected by the abort listener, so a source that ignores its
      // signal cannot hold the consumer (Promise.race on one long-lived promise would pile up
      // reactions per pull).
      step = await new Promise<IteratorResult<SourceYield>>((resolve, reject) => {
        this.rejectPending = reject;
        it.next().then(resolve, reject);
      });
    } catch (err) {
      this.rejectPending = undefined;
      if (this.terminal !== undefined) return;
      if (!signal.aborted) this.sourceDone = true;
      this.terminal = this.errorEvent(signal.aborted ? toOrchError(signal.reason) : toOrchError(err));
      return;
    }
    this.rejectPending = undefined;
    if (this.terminal !== undefined || signal.aborted) return;
    if (step.done) {
      this.sourceDone = true;
      this.terminal = this.errorEvent(
        new OrchError('PROTOCOL', 'The engine stream ended without a final event', {
          retriable: this.tokensEmitted === 0,
        }),
      );
      return;
    }
    const batch = step.value;
    if (Array.isArray(batch)) {
      const list = batch as readonly SourceEvent[];
      const tokensBefore = this.tokensEmitted;
      for (let i = 0; i < list.length && this.terminal === undefined; i++)
        this.accept(list[i] as SourceEvent);
      if (this.tokensEmitted > tokensBefore) this.onTokens(tokensBefore);
    } else {
      const tokensBefore = this.tokensEmitted;
      this.accept(batch as SourceEvent);
      if (this.tokensEmitted > tokensBefore) this.onTokens(tokensBefore);
    }
  }

  private accept(ev: SourceEvent): void {
    if (!this.started) {
      this.started = true;
      this.queue.push(this.startedEvent(ev.type === 'started' ? ev : { type: 'started' }));
      if (ev.type === 'started') return;
    }
    if (ev.type === 'token') {
      // One literal with every field (absent ones undefined, which JSON leaves out): one object
      // shape for all tokens keeps this hot path monomorphic.
      const token: TokenTextEvent = {
        type: 'token',
        job_id: this.jobId,
        index: this.tokensEmitted++,
        text: ev.text,
        token_id: ev.token_id,
        logprob: ev.logprob,
        special: ev.special,
        top_logprobs: ev.top_logprobs,
      };
      if (this.texts && !ev.special) this.texts.push(ev.text);
      this.queue.push(token);
    } else if (ev.type === 'end') {
      this.terminal = this.endEvent(ev);
    }
  }

  /** Deadlines move once per batch, not once per token. */
  private onTokens(tokensBefore: number): void {
    if (tokensBefore === 0) {
      this.firstTokenAt = this.now();
      if (this.phaseTimer) clearTimeout(this.phaseTimer);
      const idle = this.init.timeouts?.idle_ms;
      this.phaseTimer = idle ? setTimeout(this.deadline('idle', idle), idle) : undefined;
    } else {
      this.phaseTimer?.refresh();
    }
  }

  private endEvent(ev: Extract<SourceEvent, { type: 'end' }>): EndEvent {
    const end = this.now();
    const completion = ev.usage?.completion_tokens ?? this.tokensEmitted;
    const decodeMs = this.firstTokenAt ? end - this.firstTokenAt : 0;
    const endEvent: EndEvent = {
      type: 'end',
      job_id: this.jobId,
      finish_reason: ev.finish_reason,
      text: ev.text ?? (this.texts ?? []).join(''),
      usage: { completion_tokens: completion },
      metrics: {
        ttft_ms: round(this.firstTokenAt ? this.firstTokenAt - this.t0 : end - this.t0),
        total_ms: round(end - this.t0),
        tokens_per_second: decodeMs > 0 && completion > 1 ? round(((completion - 1) * 1000) / decodeMs) : 0,
      },
    };
    if (ev.usage?.prompt_tokens !== undefined) endEvent.usage.prompt_tokens = ev.usage.prompt_tokens;
    if (ev.tool_calls?.length) endEvent.tool_calls = ev.tool_calls;
    this.texts = undefined;
    return endEvent;
  }

  /** The consumer left early (break / return): that is a cancel. */
  private leave(): Promise<IteratorResult<TokenEvent>> {
    if (!this.finished) {
      const reason = cancelledError('The consumer stopped reading the stream');
      this.canceller.abort(reason);
      this.queue = [];
      this.tokensEmitted = this.tokensDelivered;
      this.finish();
      this.settle(this.errorEvent(reason));
    }
    return Promise.resolve(DONE);
  }

  /** Stops timers and lets the source go: aborted if the job failed, closed either way. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.totalTimer) clearTimeout(this.totalTimer);
    if (this.phaseTimer) clearTimeout(this.phaseTimer);
    const signal = this.canceller;
    signal.removeEventListener('abort', this.onAbort);
    const terminal = this.terminal;
    if (!signal.aborted && terminal?.type === 'error') {
      this.canceller.abort(new OrchError(terminal.code, terminal.message));
    }
    if (this.iterator && !this.sourceDone) {
      // Let the source release its socket; a source stuck in return() must not hold us.
      this.iterator.return?.().catch(noop);
    }
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

  private emitEvent(ev: TokenEvent): void {
    if (ev.type !== 'error' || this.listenerCount('error') > 0) this.emit(ev.type, ev as never);
    this.emit('event', ev);
  }

  private settle(terminal: TerminalEvent): void {
    if (this.settled) return;
    this.settled = terminal;
    this.init.signal?.removeEventListener('abort', this.onUserAbort);
    try {
      // Listeners learn how the job ended even when the loop consuming it was abandoned.
      if (this.listening) this.emitEvent(terminal);
      this.init.hooks?.onSettle?.(terminal, this);
    } finally {
      this.resolveResult(terminal);
    }
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function createTokenStream(init: TokenStreamInit): TokenStream {
  return new TokenStream(init);
}
