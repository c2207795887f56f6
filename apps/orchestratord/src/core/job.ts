import type {
  EndEvent,
  ErrorEvent,
  OrchError,
  StartedEvent,
  TaskRequest,
  TerminalEvent,
  TokenEvent,
} from '@orch/adapter-api';
import type { JobHandle, JobState, SubmitContext } from './orchestrator-types.js';
import type { Pool } from './pool.js';

export interface JobPlacement {
  pinPool?: string;
  pinReplica?: string;
  preferPool?: string;
  preferReplica?: string;
}

type Waiter = () => void;

const NO_PLACEMENT: JobPlacement = Object.freeze({});
const NO_CANDIDATES: string[] = Object.freeze([]) as unknown as string[];

/**
 * The job's event iterator, plus `take()`: the next event already in the log, handed out without a
 * promise (undefined when the reader has caught up). Readers that batch use it between awaits.
 */
export interface JobEventIterator extends AsyncIterableIterator<TokenEvent> {
  take(): TokenEvent | undefined;
}

/** What the job needs of a running attempt: a way to stop it (no AbortController per attempt). */
export interface AttemptAbort {
  abort(reason?: unknown): void;
}

/**
 * One admitted task. Its event log is the single source of truth: consumers replay it and then
 * follow; once a terminal event is appended nothing else ever is, which is what makes cancel
 * race-free (cancel appends the terminal synchronously, later upstream tokens are dropped).
 */
export class Job implements JobHandle {
  readonly taskId: string;
  /** Slimmed to its identity, model and priority once the job is retained (see `retain()`). */
  task: TaskRequest;
  readonly correlationId: string;
  /** Kept for GET /v2/tasks/{id} once finished (SubmitContext.retain). */
  readonly retainWhenFinished: boolean;
  placement: JobPlacement;
  /** Pool ids that may serve this job, best first. */
  candidates: string[];
  readonly createdAt = Date.now();
  readonly admittedAtPerf = performance.now();
  queuePosition = 0;
  predictedStartMs = 0;
  /** Written by the pool's JobQueue (see Queued.queueArrival). */
  queueArrival: number | undefined = undefined;
  poolId: string;
  /** The pool whose queue holds the job, or that runs it. */
  pool: Pool | undefined;
  replicaId: string | undefined;
  finishedAtPerf: number | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** Attempts made (each dispatch to a replica), and requeues after backpressure. */
  attempts = 0;
  requeues = 0;
  readonly excluded = new Set<string>();
  /** Aborts the running attempt (upstream socket). Replaced per attempt. */
  attemptAbort: AttemptAbort | undefined;
  /** Set by the orchestrator: removes the job from its queue, clears timers. */
  onFinish: ((job: Job, wasQueued: boolean) => void) | undefined;

  private log: TokenEvent[] = [];
  private terminal: TerminalEvent | undefined;
  private waiters: Waiter[] = [];
  private subscribers = 0;
  private resolveResult!: (t: TerminalEvent) => void;
  readonly result: Promise<TerminalEvent>;
  private queued = true;
  private tokenCount = 0;
  /**
   * The running attempt's `started`, held back until that attempt proves to be the one serving
   * the job (its first token, or its end): an attempt that fails before a token is failed over,
   * and a `started` already sent for it would name a replica that served nothing.
   */
  private pendingStarted: StartedEvent | undefined;

  constructor(task: TaskRequest, ctx: SubmitContext, candidates: string[], placement: JobPlacement) {
    this.task = task;
    this.taskId = task.job_id;
    this.correlationId = ctx.correlationId;
    this.retainWhenFinished = ctx.retain !== false;
    this.candidates = candidates;
    this.poolId = candidates[0] ?? '';
    this.placement = placement;
    this.result = new Promise((resolve) => {
      this.resolveResult = resolve;
    });
  }

  get state(): JobState {
    if (this.terminal) {
      if (this.terminal.type === 'end') return 'succeeded';
      return this.terminal.code === 'CANCELLED' ? 'cancelled' : 'failed';
    }
    return this.queued ? 'queued' : 'running';
  }

  get isFinished(): boolean {
    return this.terminal !== undefined;
  }

  get terminalEvent(): TerminalEvent | undefined {
    return this.terminal;
  }

  get tokensEmitted(): number {
    return this.tokenCount;
  }

  get hasStarted(): boolean {
    return this.log.length > 0;
  }

  /** Consumers currently following the event log. */
  get followers(): number {
    return this.subscribers;
  }

  markRunning(pool: Pool, replicaId: string): void {
    this.pendingStarted = undefined;
    this.queued = false;
    this.pool = pool;
    this.poolId = pool.id;
    this.replicaId = replicaId;
    this.startedAt ??= Date.now();
  }

  markQueued(pool: Pool): void {
    // Back in a queue (failover, backpressure): the attempt that sent it there served nothing.
    this.pendingStarted = undefined;
    this.queued = true;
    this.pool = pool;
    this.poolId = pool.id;
  }

  /**
   * Records the running attempt's `started` (naming its pool and replica). It reaches the log with
   * the attempt's first token or terminal event, never before, so it is sent once and names the
   * attempt that served the job.
   */
  holdStarted(ev: StartedEvent): void {
    if (this.terminal || this.log.length > 0) return;
    this.pendingStarted = ev;
  }

  /** Appends the first `started` only; later ones are dropped. */
  private appendStarted(ev: StartedEvent): void {
    if (this.terminal || this.log.length > 0) return;
    const started: StartedEvent = { ...ev, job_id: this.taskId, queue_position: this.queuePosition };
    started.predicted_start_ms = this.predictedStartMs;
    this.push(started);
  }

  /** False once the job is finished: the caller must stop relaying. */
  appendToken(ev: TokenEvent): boolean {
    if (this.terminal) return false;
    if (this.log.length === 0) this.appendStarted(this.pendingStarted ?? this.syntheticStarted());
    if (ev.type === 'token') this.tokenCount++;
    this.push(ev);
    return true;
  }

  /**
   * Appends the terminal event, preceded when nothing was sent yet by the running attempt's held
   * `started`, else by a synthetic one (made only then).
   */
  finish(ev: EndEvent | ErrorEvent): boolean {
    if (this.terminal) return false;
    if (this.log.length === 0) this.appendStarted(this.pendingStarted ?? this.syntheticStarted());
    this.pendingStarted = undefined;
    this.terminal = ev;
    const wasQueued = this.queued;
    this.queued = false;
    this.finishedAt = Date.now();
    this.finishedAtPerf = performance.now();
    this.push(ev);
    this.resolveResult(ev);
    this.onFinish?.(this, wasQueued);
    return true;
  }

  failWith(err: OrchError): boolean {
    const ev: ErrorEvent = {
      type: 'error',
      job_id: this.taskId,
      code: err.code,
      message: err.message,
      retriable: err.retriable && this.tokenCount === 0,
      tokens_emitted: this.tokenCount,
    };
    if (err.status !== undefined) ev.status = err.status;
    if (err.retryAfterMs !== undefined) ev.retry_after_ms = err.retryAfterMs;
    if (err.timeoutPhase !== undefined) ev.timeout_phase = err.timeoutPhase;
    const ok = this.finish(ev);
    if (ok) this.attemptAbort?.abort(err);
    return ok;
  }

  cancel(reason = 'The job was cancelled'): void {
    if (this.terminal) return;
    const ev: ErrorEvent = {
      type: 'error',
      job_id: this.taskId,
      code: 'CANCELLED',
      message: reason,
      retriable: false,
      tokens_emitted: this.tokenCount,
    };
    // Terminal first, abort second: whatever the upstream still delivers finds the log closed.
    this.finish(ev);
    this.attemptAbort?.abort();
  }

  /**
   * A `started` for a job no engine stream started. It names a replica only while an attempt runs
   * there: a job waiting in a queue after failover was served by none.
   */
  private syntheticStarted(): StartedEvent {
    const ev: StartedEvent = {
      type: 'started',
      job_id: this.taskId,
      engine: 'orchestratord',
      engine_version: 'unknown',
      model: this.task.model ?? 'unknown',
    };
    if (this.replicaId && !this.queued) {
      ev.replica_id = this.replicaId;
      ev.pool_id = this.poolId;
    }
    return ev;
  }

  /** Replays the events so far, then follows live ones until the terminal event. */
  events(): { [Symbol.asyncIterator](): JobEventIterator } {
    return { [Symbol.asyncIterator]: () => this.iterate() };
  }

  /** A snapshot of the log (for GET /v2/tasks/:id). */
  snapshot(): readonly TokenEvent[] {
    return this.log;
  }

  /**
   * Drops what a finished job no longer needs before it is kept for GET /v2/tasks/{id}: at high
   * request rates retained jobs are most of what outlives the young generation, so every byte here
   * is old-generation growth and, in the end, major GC pauses.
   */
  retain(): void {
    if (!this.terminal) return;
    const { job_id, model, priority } = this.task;
    this.task = (model === undefined ? { job_id, priority } : { job_id, model, priority }) as TaskRequest;
    this.placement = NO_PLACEMENT;
    this.candidates = NO_CANDIDATES;
    // Its own (usually empty) exclusions stay: a shared empty Set could be written to by a late
    // failover path and leak into every retained job.
    this.excluded.clear();
    // Exact length: a growing array keeps spare capacity.
    if (this.subscribers === 0) this.log = this.log.slice();
  }

  /** Frees the token log of a finished job kept only for its result. */
  compact(): void {
    if (!this.terminal || this.subscribers > 0) return;
    const started = this.log[0];
    this.log.length = 0;
    if (started && started.type === 'started') this.log.push(started);
    this.log.push(this.terminal);
  }

  private push(ev: TokenEvent): void {
    this.log.push(ev);
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Written by hand rather than as an async generator: an event already in the log costs one
   * resolved promise, not a generator resumption. Same contract as the generator it replaces: the
   * reader counts as a follower from its first next() until it reads past the terminal event or
   * returns; next() is never called again before the previous promise settles.
   */
  private iterate(): JobEventIterator {
    let i = 0;
    let state: 'new' | 'following' | 'done' = 'new';
    const finish = (): IteratorResult<TokenEvent> => {
      if (state === 'following') this.subscribers--;
      state = 'done';
      return { value: undefined, done: true };
    };
    const take = (): TokenEvent | undefined => {
      if (state === 'done' || i >= this.log.length) return undefined;
      if (state === 'new') {
        state = 'following';
        this.subscribers++;
      }
      const ev = this.log[i++]!;
      if (ev.type === 'end' || ev.type === 'error') i = Number.POSITIVE_INFINITY;
      return ev;
    };
    const step = (): IteratorResult<TokenEvent> | undefined => {
      const ev = take();
      if (ev) return { value: ev, done: false };
      if (i === Number.POSITIVE_INFINITY || this.terminal) return finish();
      return undefined;
    };
    const wait = async (): Promise<IteratorResult<TokenEvent>> => {
      for (;;) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        if (state === 'done') return { value: undefined, done: true };
        const r = step();
        if (r) return r;
      }
    };
    const iterator: JobEventIterator = {
      take,
      next: () => {
        if (state === 'done') return Promise.resolve({ value: undefined, done: true });
        if (state === 'new') {
          state = 'following';
          this.subscribers++;
        }
        return Promise.resolve(step() ?? wait());
      },
      return: () => Promise.resolve(finish()),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
