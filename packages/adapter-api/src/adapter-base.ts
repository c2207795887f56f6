import type {
  AdapterProps,
  AdapterStats,
  GenerateOptions,
  GenerateResult,
  HealthReport,
  SubmitOptions,
  WorkerAdapter,
} from './adapter.js';
import type { Canceller, CancelSignal } from './canceller.js';
import { OrchError } from './errors.js';
import type { SourceYield } from './events.js';
import { collectResult } from './generate.js';
import { StatsTracker } from './stats-tracker.js';
import { parseTask, type TaskRequest, type TaskRequestInput } from './task.js';
import { createTokenStream, type TokenStream } from './token-stream.js';

export interface SourceContext {
  /**
   * Aborts when the job is cancelled or runs out of time. Hand it to http-util or undici: it is a
   * plain object, where an AbortSignal per job costs the GC (see canceller.ts).
   */
  cancel: CancelSignal;
  /** A real AbortSignal following `cancel`, made on first read (for fetch, AbortSignal.any, ...). */
  readonly signal: AbortSignal;
  /** True when the caller asked for a non-streaming engine call (generate with stream:false). */
  nonStreaming: boolean;
}

/** Getter on the prototype: the real AbortSignal exists only for a source that reads it. */
class JobSourceContext implements SourceContext {
  constructor(
    readonly cancel: Canceller,
    readonly nonStreaming: boolean,
  ) {}

  get signal(): AbortSignal {
    return this.cancel.signal;
  }
}

/**
 * Shared plumbing for adapters: validation, job bookkeeping, cancel, stats and generate(). An
 * adapter supplies only `run` (its wire protocol) plus health and props.
 */
export abstract class AdapterBase implements WorkerAdapter {
  abstract readonly engine: string;
  abstract readonly id: string;
  protected readonly statsTracker = new StatsTracker();
  /** Set when every `end` the source yields carries the engine's final text (saves a copy per token). */
  protected readonly sourceProvidesText: boolean = false;
  private readonly jobs = new Map<string, TokenStream>();
  private closed = false;

  /** The engine's model id as best known, for `started` before the engine answers. */
  protected abstract modelFor(task: TaskRequest): string;
  /** The engine version as best known (may be 'unknown' until props() ran). */
  protected abstract engineVersion(): string;
  protected abstract run(task: TaskRequest, ctx: SourceContext): AsyncIterable<SourceYield>;
  abstract health(options?: SubmitOptions): Promise<HealthReport>;
  abstract props(options?: SubmitOptions): Promise<AdapterProps>;

  /** Defaults applied to a task's timeouts when it sets none. */
  protected defaultTimeouts(): TaskRequest['timeouts'] {
    return undefined;
  }

  /** A task with `stream: false` asks the engine for one non-streaming answer (same events). */
  submit(input: TaskRequestInput | TaskRequest, options: SubmitOptions = {}): TokenStream {
    return this.start(input, options, false);
  }

  async generate(
    input: TaskRequestInput | TaskRequest,
    options: GenerateOptions = {},
  ): Promise<GenerateResult> {
    const stream = this.start(input, options, options.stream === false);
    return collectResult(stream, this.engine);
  }

  cancel(jobId: string): boolean {
    const stream = this.jobs.get(jobId);
    if (!stream) return false;
    stream.cancel();
    return true;
  }

  stats(): AdapterStats {
    return this.statsTracker.snapshot();
  }

  /** Jobs currently running on this adapter. */
  protected get inFlight(): number {
    return this.jobs.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.jobs.values()];
    for (const s of running)
      s.cancel(new OrchError('CANCELLED', 'The adapter was closed', { retriable: false }));
    await Promise.all(running.map((s) => s.result));
    await this.onClose();
  }

  protected async onClose(): Promise<void> {}

  private start(
    input: TaskRequestInput | TaskRequest,
    options: SubmitOptions,
    nonStreaming: boolean,
  ): TokenStream {
    if (this.closed) throw new OrchError('INTERNAL', `Adapter ${this.id} is closed`, { retriable: false });
    const task = parseTask(input);
    // Nobody reads tokens one by one from a non-streaming call: the engine's non-streaming route
    // saves parsing a stream per token.
    const oneShot = nonStreaming || task.stream === false;
    if (this.jobs.has(task.job_id)) {
      throw new OrchError('INVALID_REQUEST', `job_id ${task.job_id} is already running`, {
        field: 'job_id',
        status: 409,
        retriable: false,
      });
    }
    const timeouts = deadlinesFor(task.timeouts ?? this.defaultTimeouts(), oneShot);
    const stream = createTokenStream({
      jobId: task.job_id,
      engine: this.engine,
      model: this.modelFor(task),
      engineVersion: this.engineVersion(),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(timeouts ? { timeouts } : {}),
      source: (cancel) => this.run(task, new JobSourceContext(cancel, oneShot)),
      sourceProvidesText: this.sourceProvidesText,
      hooks: {
        onSettle: (terminal) => {
          this.jobs.delete(task.job_id);
          this.statsTracker.settle(terminal);
        },
      },
    });
    this.jobs.set(task.job_id, stream);
    this.statsTracker.begin();
    return stream;
  }
}

/**
 * A one-shot call has no first token or gap between tokens to time: its whole answer arrives at
 * once, so only the total deadline applies to it.
 */
function deadlinesFor(timeouts: TaskRequest['timeouts'], oneShot: boolean): TaskRequest['timeouts'] {
  if (!oneShot || !timeouts) return timeouts;
  return timeouts.total_ms === undefined ? undefined : { total_ms: timeouts.total_ms };
}
