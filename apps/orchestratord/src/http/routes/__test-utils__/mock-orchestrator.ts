// An Orchestrator over in-memory adapters, so route modules can be tested without the daemon's core.
// It follows the seam's contract (replayable events, race-free cancel, OrchError on admission) in
// the simplest way, not the core's way: one adapter per model, no queue.
import {
  OrchError,
  parseTask,
  type TaskRequest,
  type TaskRequestInput,
  type TerminalEvent,
  type TokenEvent,
  type TokenStream,
  type WorkerAdapter,
} from '@orch/adapter-api';
import type {
  JobHandle,
  JobState,
  ModelView,
  Orchestrator,
  PoolView,
  SubmitContext,
} from '../../../core/orchestrator-types.js';

export interface MockOrchestratorOptions {
  /** model id → adapter; the first entry serves tasks that name no model. */
  adapters: Record<string, WorkerAdapter>;
  /** When set, every submit throws it (to test admission errors). */
  rejectWith?: OrchError;
  /** Pools reported as not ready (GET /health → 503). */
  unready?: boolean;
}

class MockJob implements JobHandle {
  readonly queuePosition = 0;
  readonly predictedStartMs = 0;
  readonly result: Promise<TerminalEvent>;
  private readonly seen: TokenEvent[] = [];
  private waiters: Array<() => void> = [];
  private done = false;
  private cancelled = false;

  constructor(
    readonly taskId: string,
    readonly task: TaskRequest,
    private readonly stream: TokenStream,
  ) {
    this.result = stream.result;
    stream.on('event', (ev) => {
      // After cancel() nothing but the terminal event may reach a consumer.
      if (this.cancelled && ev.type === 'token') return;
      this.seen.push(ev);
      if (ev.type === 'end' || ev.type === 'error') this.done = true;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  get state(): JobState {
    const last = this.seen.at(-1);
    if (!last) return 'queued';
    if (last.type === 'end') return 'succeeded';
    if (last.type === 'error') return last.code === 'CANCELLED' ? 'cancelled' : 'failed';
    return 'running';
  }

  async *events(): AsyncIterable<TokenEvent> {
    let i = 0;
    while (true) {
      while (i < this.seen.length) {
        const ev = this.seen[i++]!;
        yield ev;
        if (ev.type === 'end' || ev.type === 'error') return;
      }
      if (this.done) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  cancel(): void {
    this.cancelled = true;
    this.stream.cancel();
  }
}

export class MockOrchestrator implements Orchestrator {
  accepting = true;
  readonly jobs: MockJob[] = [];
  readonly contexts: SubmitContext[] = [];
  private readonly options: MockOrchestratorOptions;

  constructor(options: MockOrchestratorOptions) {
    this.options = options;
  }

  submit(input: TaskRequestInput, ctx: SubmitContext): JobHandle {
    if (this.options.rejectWith) throw this.options.rejectWith;
    const task = parseTask(input);
    const names = Object.keys(this.options.adapters);
    const model = task.model ?? names[0];
    const adapter = model === undefined ? undefined : this.options.adapters[model];
    if (!adapter) {
      throw new OrchError('NOT_FOUND', `No pool serves model ${task.model}`, {
        field: 'model',
        status: 404,
        retriable: false,
      });
    }
    const stream = adapter.submit(task, ctx.signal ? { signal: ctx.signal } : {});
    const job = new MockJob(task.job_id, task, stream);
    this.jobs.push(job);
    this.contexts.push(ctx);
    return job;
  }

  getJob(taskId: string): JobHandle | undefined {
    return this.jobs.find((j) => j.taskId === taskId);
  }

  pools(): PoolView[] {
    return Object.entries(this.options.adapters).map(([model, adapter], i) => ({
      id: `pool-${i}`,
      adapter: adapter.engine,
      models: [model],
      priority: i,
      draining: false,
      queue: { depth: 0, capacity: 16, policy: 'reject' },
      replicas: [
        {
          id: adapter.id,
          state: this.options.unready ? 'unready' : 'ready',
          health: null,
          inFlight: 0,
          maxConcurrent: 4,
          breaker: 'closed',
        },
      ],
    }));
  }

  async models(): Promise<ModelView[]> {
    const out: ModelView[] = [];
    let i = 0;
    for (const [id, adapter] of Object.entries(this.options.adapters)) {
      out.push({ id, pools: [`pool-${i++}`], props: await adapter.props() });
    }
    return out;
  }
}
