import { Worker } from 'node:worker_threads';
import {
  CANCEL_SLOT,
  type FromWorker,
  FromWorkerSchema,
  type GenerateRequest,
  type LoadProgress,
  type LoadRequest,
  type ModelInfo,
  SHARED_WORDS,
  type TokenOut,
} from './worker-protocol.js';

export type WorkerState = 'loading' | 'ready' | 'failed' | 'dead';

export interface JobListener {
  onStarted(promptTokens: number): void;
  onTokens(tokens: TokenOut[]): void;
  onEnd(end: Extract<FromWorker, { type: 'end' }>): void;
  onFailed(message: string, workerDied: boolean): void;
  onCancelled(how: 'acknowledged' | 'terminated'): void;
}

export interface RunningJob {
  readonly seq: number;
  /** Stops generation after the current token; a worker that does not confirm in time is terminated. */
  cancel(): void;
  /** Resolves once the worker has finished with the job, however it ended. */
  readonly settled: Promise<void>;
}

export interface WorkerHandleOptions {
  workerUrl: URL;
  load: LoadRequest;
  cancelGraceMs: number;
  onProgress?: (event: LoadProgress) => void;
  /** Called once when the thread is gone (crash, terminate, or a hung worker being replaced). */
  onGone: (handle: WorkerHandle) => void;
}

/** Returns the compiled worker entry next to this module (dist/engine when running from src). */
export function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/engine/generation-worker.js', here)
    : new URL('./generation-worker.js', here);
}

/** One worker thread holding one loaded model, running one job at a time. */
export class WorkerHandle {
  state: WorkerState = 'loading';
  info: ModelInfo | undefined;
  failure: string | undefined;
  notFound = false;
  readonly ready: Promise<ModelInfo>;
  private readonly worker: Worker;
  private readonly shared: Int32Array;
  private job:
    | { seq: number; listener: JobListener; finish: () => void; graceTimer?: NodeJS.Timeout }
    | undefined;
  private nextSeq = 1;
  private gone = false;

  constructor(private readonly opts: WorkerHandleOptions) {
    const buffer = new SharedArrayBuffer(SHARED_WORDS * Int32Array.BYTES_PER_ELEMENT);
    this.shared = new Int32Array(buffer);
    let resolveReady!: (info: ModelInfo) => void;
    let rejectReady!: (err: Error) => void;
    this.ready = new Promise<ModelInfo>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.worker = new Worker(opts.workerUrl, { workerData: { shared: buffer } });
    this.worker.on('message', (raw: unknown) => {
      const parsed = FromWorkerSchema.safeParse(raw);
      if (!parsed.success) {
        this.failJob(`malformed worker message: ${parsed.error.issues[0]?.message ?? 'unknown'}`, false);
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'ready') {
        this.state = 'ready';
        this.info = msg.info;
        resolveReady(msg.info);
      } else if (msg.type === 'load-error') {
        this.state = 'failed';
        this.failure = msg.message;
        this.notFound = msg.notFound;
        rejectReady(new Error(msg.message));
      } else if (msg.type === 'progress') {
        opts.onProgress?.(msg.event);
      } else {
        this.onJobMessage(msg);
      }
    });
    this.worker.on('error', (err) => {
      this.failure ??= err.message;
    });
    this.worker.on('exit', (code) => {
      const wasLoading = this.state === 'loading';
      // A worker that reported a load failure keeps 'failed' (with its reason) after its thread ends.
      if (this.state !== 'failed') this.state = wasLoading ? 'failed' : 'dead';
      if (wasLoading) {
        this.failure ??= `worker exited with code ${code} while loading`;
        rejectReady(new Error(this.failure));
      }
      this.failJob(`generation worker exited (code ${code})`, true);
      if (!this.gone) {
        this.gone = true;
        opts.onGone(this);
      }
    });
    this.worker.postMessage(opts.load);
  }

  get busy(): boolean {
    return this.job !== undefined;
  }

  run(request: Omit<GenerateRequest, 'type' | 'seq'>, listener: JobListener): RunningJob {
    if (this.job) throw new Error('worker is busy');
    if (this.state !== 'ready') throw new Error(`worker is ${this.state}`);
    const seq = this.nextSeq++;
    let finish!: () => void;
    const settled = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.job = { seq, listener, finish };
    this.worker.postMessage({ ...request, type: 'generate', seq } satisfies GenerateRequest);
    return { seq, settled, cancel: () => this.cancel(seq) };
  }

  private cancel(seq: number): void {
    const job = this.job;
    if (!job || job.seq !== seq || job.graceTimer) return;
    // The shared word stops a busy generate loop at its next token; the message reaches a hung one.
    Atomics.store(this.shared, CANCEL_SLOT, seq);
    this.worker.postMessage({ type: 'cancel', seq });
    job.graceTimer = setTimeout(() => {
      if (this.job?.seq !== seq) return;
      this.endJob();
      job.listener.onCancelled('terminated');
      void this.terminate();
    }, this.opts.cancelGraceMs);
    job.graceTimer.unref();
  }

  private onJobMessage(msg: Exclude<FromWorker, { type: 'ready' | 'load-error' | 'progress' }>): void {
    const job = this.job;
    if (!job || job.seq !== msg.seq) return;
    switch (msg.type) {
      case 'started':
        job.listener.onStarted(msg.promptTokens);
        break;
      case 'tokens':
        job.listener.onTokens(msg.tokens);
        break;
      case 'end':
        this.endJob();
        if (msg.tokens.length > 0) job.listener.onTokens(msg.tokens);
        job.listener.onEnd(msg);
        break;
      case 'failed':
        this.endJob();
        job.listener.onFailed(msg.message, false);
        break;
      case 'cancelled':
        this.endJob();
        job.listener.onCancelled('acknowledged');
        break;
    }
  }

  private endJob(): void {
    const job = this.job;
    if (!job) return;
    if (job.graceTimer) clearTimeout(job.graceTimer);
    this.job = undefined;
    job.finish();
  }

  private failJob(message: string, workerDied: boolean): void {
    const job = this.job;
    if (!job) return;
    this.endJob();
    job.listener.onFailed(message, workerDied);
  }

  async terminate(): Promise<void> {
    if (this.state !== 'failed') this.state = 'dead';
    await this.worker.terminate();
  }
}
