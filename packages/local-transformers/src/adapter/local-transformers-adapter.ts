import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { CancelSignal } from '@orch/adapter-api';
import {
  AdapterBase,
  type AdapterProps,
  type GenerateOptions,
  type GenerateResult,
  type HealthReport,
  OrchError,
  parseTask,
  type SourceContext,
  type SourceEvent,
  type SubmitOptions,
  type TaskRequest,
  type TaskRequestInput,
  type TokenStream,
} from '@orch/adapter-api';
import { JobChannel } from '../engine/job-channel.js';
import { isPathLike } from '../engine/load-model.js';
import { defaultWorkerUrl, type JobListener } from '../engine/worker-handle.js';
import { WorkerPool } from '../engine/worker-pool.js';
import type { FromWorker, LoadProgress, TokenOut, WorkerFault } from '../engine/worker-protocol.js';
import {
  type LocalTransformersOptions,
  type LocalTransformersOptionsInput,
  LocalTransformersOptionsSchema,
} from './adapter-options.js';
import { transformersVersion } from './engine-version.js';
import { taskToRequest } from './task-to-request.js';

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

type JobEvent =
  | { kind: 'started'; promptTokens: number }
  | { kind: 'tokens'; tokens: TokenOut[] }
  | { kind: 'end'; end: Extract<FromWorker, { type: 'end' }> };

export interface LocalTransformersHooks {
  /** Model download/load progress (initiate, download, progress, done, ready). */
  onProgress?: (event: LoadProgress) => void;
  /** A job left its worker: finished, failed, or cancelled (acknowledged, or the worker was terminated). */
  onJobSettled?: (jobId: string, how: 'end' | 'failed' | 'acknowledged' | 'terminated') => void;
}

/**
 * Runs a transformers.js causal LM in worker threads. Offline by default: models are read from
 * `modelsDir` (the repo's own models unless told otherwise) and nothing reaches a hub unless
 * `allowRemote` is set.
 */
export class LocalTransformersAdapter extends AdapterBase {
  readonly engine = 'local-transformers';
  readonly id: string;
  readonly options: LocalTransformersOptions;
  /** Loaded models by id, least recently used first. */
  private readonly pools = new Map<string, WorkerPool>();
  private loadStartedAt = 0;
  private nextFault: WorkerFault | undefined;

  constructor(
    input: LocalTransformersOptionsInput = {},
    private readonly hooks: LocalTransformersHooks = {},
  ) {
    super();
    const parsed = LocalTransformersOptionsSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new OrchError('INVALID_REQUEST', `Invalid local-transformers options: ${issue?.message ?? ''}`, {
        field: issue ? issue.path.join('.') : '(root)',
        retriable: false,
      });
    }
    this.options = parsed.data;
    this.id = this.options.id ?? `local-transformers:${this.options.model}`;
  }

  /** Starts the workers loading the model (idempotent) and resolves when one is ready. */
  async load(): Promise<void> {
    await this.ensurePool().ready;
  }

  /**
   * Makes the engine misbehave on the next job, for conformance tests of hung, failing and crashing
   * workers. Not for production use.
   */
  injectFault(fault: WorkerFault): void {
    this.nextFault = fault;
  }

  protected modelFor(task: TaskRequest): string {
    return task.model ?? this.options.model;
  }

  protected engineVersion(): string {
    return transformersVersion();
  }

  /** The pool serving `modelId` (the default model unless a task names another), loading it if needed. */
  private ensurePool(modelId: string = this.options.model): WorkerPool {
    let known = this.pools.get(modelId);
    if (known?.state === 'failed' && Date.now() - known.createdAt >= this.options.retryLoadMs) {
      // The folder may have been built or fixed since: try again rather than failing forever.
      this.pools.delete(modelId);
      void known.close();
      known = undefined;
    }
    if (known) {
      this.pools.delete(modelId);
      this.pools.set(modelId, known);
      return known;
    }
    // The default model is always allowed in; named models make room by evicting an idle one.
    if (modelId !== this.options.model && this.pools.size >= this.options.maxLoadedModels) this.evictIdle();
    const o = this.options;
    const model = isPathLike(modelId) && !isAbsolute(modelId) ? resolve(modelId) : modelId;
    if (modelId === o.model) this.loadStartedAt = Date.now();
    const pool = new WorkerPool({
      workerUrl: defaultWorkerUrl(),
      workers: o.workers,
      maxQueue: o.maxQueue,
      maxRestarts: o.maxRestarts,
      cancelGraceMs: o.cancelGraceMs,
      ...(this.hooks.onProgress ? { onProgress: this.hooks.onProgress } : {}),
      load: {
        type: 'load',
        model,
        modelsDir: o.modelsDir,
        allowRemote: o.allowRemote,
        device: o.device,
        threads: o.threadsPerWorker ?? Math.max(1, Math.floor(availableParallelism() / o.workers)),
        ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
        ...(o.dtype ? { dtype: o.dtype } : {}),
      },
    });
    pool.ready.catch(() => {});
    this.pools.set(modelId, pool);
    return pool;
  }

  /** Unloads the least recently used model with no job running (the default model stays). */
  private evictIdle(): void {
    for (const [id, pool] of this.pools) {
      if (id === this.options.model || (pool.state !== 'failed' && (pool.busy > 0 || pool.queued > 0)))
        continue;
      this.pools.delete(id);
      void pool.close();
      return;
    }
    throw new OrchError('OVERLOADED', `All ${this.options.maxLoadedModels} loaded models are busy`, {
      retriable: true,
      status: 503,
    });
  }

  /** Refuses a bad `model` before a job starts, like any other invalid field. */
  override submit(input: TaskRequestInput | TaskRequest, options?: SubmitOptions): TokenStream {
    return super.submit(this.precheck(input), options);
  }

  override generate(
    input: TaskRequestInput | TaskRequest,
    options?: GenerateOptions,
  ): Promise<GenerateResult> {
    let task: TaskRequest;
    try {
      task = this.precheck(input);
    } catch (err) {
      return Promise.reject(err);
    }
    return super.generate(task, options);
  }

  /** Validates the task and what this engine can do with it, so bad fields throw before a job starts. */
  private precheck(input: TaskRequestInput | TaskRequest): TaskRequest {
    const task = parseTask(input);
    this.modelOf(task);
    taskToRequest(task, this.options.defaultMaxTokens);
    return task;
  }

  /** Which model a task runs on; a task may only name a model by id, never by path. */
  private modelOf(task: { model?: string | undefined }): string {
    const wanted = task.model;
    if (typeof wanted !== 'string' || wanted === this.options.model) return this.options.model;
    if (!MODEL_ID.test(wanted) || wanted.includes('..')) {
      throw new OrchError(
        'INVALID_REQUEST',
        `model must be a model id (folder name or org/name), got ${wanted}`,
        {
          field: 'model',
          status: 400,
          retriable: false,
        },
      );
    }
    return wanted;
  }

  protected async *run(task: TaskRequest, ctx: SourceContext): AsyncIterable<SourceEvent> {
    const request = taskToRequest(task, this.options.defaultMaxTokens);
    const fault = this.nextFault;
    this.nextFault = undefined;
    if (fault) request.fault = fault;
    const modelId = this.modelOf(task);
    const pool = this.ensurePool(modelId);
    await untilAborted(pool.ready, ctx.cancel).catch((err: unknown) => {
      // A named model that failed to load is forgotten, so a later task can try again.
      if (modelId !== this.options.model && this.pools.get(modelId) === pool && pool.state === 'failed') {
        this.pools.delete(modelId);
        void pool.close();
      }
      throw err;
    });
    if (request.messages && pool.info && !pool.info.hasChatTemplate) {
      throw new OrchError('UNSUPPORTED', `Model ${modelId} has no chat template: send a prompt instead`, {
        field: 'messages',
        status: 400,
        retriable: false,
      });
    }
    const worker = await pool.acquire(ctx.cancel);
    if (ctx.cancel.aborted) {
      pool.release(worker);
      throw ctx.cancel.reason;
    }
    const channel = new JobChannel<JobEvent>(ctx.cancel);
    let how: 'end' | 'failed' | 'acknowledged' | 'terminated' = 'failed';
    const listener: JobListener = {
      onStarted: (promptTokens) => channel.push({ kind: 'started', promptTokens }),
      onTokens: (tokens) => channel.push({ kind: 'tokens', tokens }),
      onEnd: (end) => {
        how = 'end';
        channel.push({ kind: 'end', end });
        channel.end();
      },
      onFailed: (message, workerDied) => {
        how = 'failed';
        channel.fail(
          new OrchError('INTERNAL', workerDied ? message : `Generation failed: ${message}`, {
            retriable: workerDied,
          }),
        );
      },
      onCancelled: (h) => {
        how = h;
        channel.fail(new OrchError('CANCELLED', 'The job was cancelled', { retriable: false }));
      },
    };
    let job: ReturnType<typeof worker.run> | undefined;
    let released = false;
    // Frees the worker (after the engine let go of the job) before the caller sees the end, so
    // props().slotsFree is already right when generate() resolves.
    const release = async () => {
      if (released) return;
      released = true;
      if (job) {
        job.cancel();
        await job.settled;
      }
      pool.release(worker);
      this.hooks.onJobSettled?.(task.job_id, how);
    };
    try {
      job = worker.run(request, listener);
      let promptTokens = 0;
      for await (const ev of channel) {
        if (ev.kind === 'started') {
          promptTokens = ev.promptTokens;
          yield { type: 'started', model: modelId, engine_version: this.engineVersion() };
        } else if (ev.kind === 'tokens') {
          for (const tok of ev.tokens) {
            const out: SourceEvent = { type: 'token', text: tok.text, token_id: tok.id };
            if (tok.special) out.special = true;
            yield out;
          }
        } else {
          await release();
          yield {
            type: 'end',
            finish_reason: ev.end.finishReason,
            text: ev.end.text,
            usage: { prompt_tokens: promptTokens, completion_tokens: ev.end.completionTokens },
          };
          return;
        }
      }
    } finally {
      await release();
    }
  }

  async health(): Promise<HealthReport> {
    const t0 = performance.now();
    const pool = this.ensurePool();
    const state = pool.state;
    const base = { latencyMs: 0, checkedAt: Date.now() };
    let report: HealthReport;
    if (state === 'ready') {
      report = { ...base, state: 'healthy', live: true, ready: true };
    } else if (state === 'loading') {
      const secs = ((Date.now() - this.loadStartedAt) / 1000).toFixed(1);
      report = {
        ...base,
        state: 'degraded',
        live: true,
        ready: false,
        message: `loading the model (${secs} s)`,
      };
    } else {
      report = { ...base, state: 'unhealthy', live: false, ready: false, message: pool.failure().message };
    }
    report.latencyMs = performance.now() - t0;
    return report;
  }

  async props(): Promise<AdapterProps> {
    const pool = this.ensurePool();
    const info = pool.info;
    const props: AdapterProps = {
      engine: this.engine,
      engineVersion: info?.transformersVersion ?? this.engineVersion(),
      modelId: this.options.model,
      slotsTotal: pool.size,
      slotsFree: Math.max(0, pool.size - pool.busy),
      capabilities: {
        chat: info?.hasChatTemplate ?? false,
        tools: false,
        grammar: false,
        logprobs: false,
        streaming: true,
      },
    };
    if (info?.maxPositionEmbeddings) props.maxTotalTokens = info.maxPositionEmbeddings;
    return props;
  }

  protected override async onClose(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}

/** Waits for `promise`, or rejects with the abort reason as soon as `signal` aborts. */
async function untilAborted<T>(promise: Promise<T>, signal: CancelSignal): Promise<T> {
  if (signal.aborted) throw signal.reason;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
