import { Worker } from 'node:worker_threads';
import type { CancelSignal } from '@orch/adapter-api';
import { cancelledError, OrchError } from '@orch/adapter-api';
import {
  type FromPipelineWorker,
  FromPipelineWorkerSchema,
  type PipelineLoadRequest,
} from './pipeline-protocol.js';

export function defaultPipelineWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/engine/pipeline-worker.js', here)
    : new URL('./pipeline-worker.js', here);
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * One pipeline worker holding one model. Calls are sent as they come (the worker runs them in
 * order); at most `maxPending` may be outstanding, beyond that a call is refused with OVERLOADED.
 */
export class PipelineHandle {
  readonly ready: Promise<{ loadMs: number; device: string }>;
  readonly loadedAt: Date;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  private exited = false;

  constructor(
    load: PipelineLoadRequest,
    private readonly maxPending: number,
    workerUrl: URL = defaultPipelineWorkerUrl(),
  ) {
    this.loadedAt = new Date();
    this.worker = new Worker(workerUrl);
    let resolveReady!: (v: { loadMs: number; device: string }) => void;
    let rejectReady!: (e: unknown) => void;
    this.ready = new Promise((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.ready.catch(() => {});
    this.worker.on('message', (raw: unknown) => {
      const parsed = FromPipelineWorkerSchema.safeParse(raw);
      if (!parsed.success) return;
      const msg: FromPipelineWorker = parsed.data;
      if (msg.type === 'ready') resolveReady({ loadMs: msg.loadMs, device: msg.device });
      else if (msg.type === 'load-error') {
        rejectReady(
          new OrchError(msg.notFound ? 'NOT_FOUND' : 'INTERNAL', `Model load failed: ${msg.message}`, {
            retriable: false,
          }),
        );
      } else {
        const p = this.pending.get(msg.seq);
        if (!p) return;
        this.pending.delete(msg.seq);
        if (msg.type === 'result') p.resolve(msg.output);
        else p.reject(new OrchError('INTERNAL', `Pipeline failed: ${msg.message}`, { retriable: false }));
      }
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      const err = new OrchError('INTERNAL', `pipeline worker exited (code ${code})`, { retriable: true });
      rejectReady(err);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    this.worker.postMessage(load);
  }

  get alive(): boolean {
    return !this.exited;
  }

  /**
   * Runs one pipeline call. A call that takes longer than `timeoutMs` means the worker is stuck: it is
   * terminated (the registry loads a fresh one on next use). An aborted caller stops waiting; the
   * worker's late result is dropped.
   */
  async run(task: string, args: unknown[], timeoutMs: number, signal?: CancelSignal): Promise<unknown> {
    await this.ready;
    if (this.exited) throw new OrchError('INTERNAL', 'pipeline worker is gone', { retriable: true });
    if (this.pending.size >= this.maxPending) {
      throw new OrchError('OVERLOADED', `${this.pending.size} pipeline calls are already waiting`, {
        retriable: true,
        status: 429,
      });
    }
    if (signal?.aborted) throw cancelledError();
    const seq = this.nextSeq++;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await new Promise((resolve, reject) => {
        this.pending.set(seq, { resolve, reject });
        timer = setTimeout(() => {
          this.pending.delete(seq);
          reject(
            new OrchError('TIMEOUT', `The ${task} pipeline did not answer within ${timeoutMs} ms`, {
              timeoutPhase: 'total',
            }),
          );
          void this.close();
        }, timeoutMs);
        onAbort = () => {
          this.pending.delete(seq);
          reject(cancelledError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.worker.postMessage({ type: 'run', seq, task, args });
      });
    } finally {
      if (timer) clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.exited = true;
    await this.worker.terminate();
  }
}
