import type { CancelSignal } from '@orch/adapter-api';
import { cancelledError, OrchError } from '@orch/adapter-api';
import { WorkerHandle, type WorkerHandleOptions } from './worker-handle.js';
import type { ModelInfo } from './worker-protocol.js';

export interface WorkerPoolOptions extends Omit<WorkerHandleOptions, 'onGone'> {
  workers: number;
  /** Jobs allowed to wait for a free worker; more are refused with OVERLOADED. */
  maxQueue: number;
  /** Replacements allowed after crashes, so a model that kills its worker cannot respawn forever. */
  maxRestarts: number;
}

export type PoolState = 'loading' | 'ready' | 'failed' | 'closed';

interface Waiter {
  resolve: (h: WorkerHandle) => void;
  reject: (e: unknown) => void;
  signal: CancelSignal;
  onAbort: () => void;
}

/**
 * A fixed set of worker threads for one model, with a bounded FIFO of jobs waiting for a free one.
 * A worker that dies (crash, or terminated because it hung) is replaced.
 */
export class WorkerPool {
  private readonly handles: WorkerHandle[] = [];
  /** Workers handed to a job (from acquire until release), busy or about to be. */
  private readonly reservations = new Set<WorkerHandle>();
  private readonly waiters: Waiter[] = [];
  private restarts = 0;
  private closed = false;
  private loadError: OrchError | undefined;
  readonly ready: Promise<ModelInfo>;
  readonly createdAt = Date.now();

  constructor(private readonly opts: WorkerPoolOptions) {
    for (let i = 0; i < opts.workers; i++) this.handles.push(this.spawn());
    this.ready = Promise.any(this.handles.map((h) => h.ready)).catch(() => {
      throw this.failure();
    });
    this.ready.then(
      () => this.dispatch(),
      (err: unknown) => {
        for (const w of this.waiters.splice(0)) this.dropWaiter(w, err);
      },
    );
  }

  get state(): PoolState {
    if (this.closed) return 'closed';
    if (this.handles.some((h) => h.state === 'ready')) return 'ready';
    if (this.handles.some((h) => h.state === 'loading')) return 'loading';
    return 'failed';
  }

  get info(): ModelInfo | undefined {
    return this.handles.find((h) => h.info)?.info;
  }

  get size(): number {
    return this.opts.workers;
  }

  get busy(): number {
    return this.reservations.size;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Why the model could not be loaded, as an OrchError. */
  failure(): OrchError {
    if (this.loadError) return this.loadError;
    const h = this.handles.find((x) => x.failure);
    const message = h?.failure ?? 'the model could not be loaded';
    this.loadError = new OrchError(h?.notFound ? 'NOT_FOUND' : 'INTERNAL', `Model load failed: ${message}`, {
      retriable: false,
    });
    return this.loadError;
  }

  /** Waits for a free, loaded worker. Throws OVERLOADED when the wait queue is full. */
  acquire(signal: CancelSignal): Promise<WorkerHandle> {
    if (this.closed)
      return Promise.reject(new OrchError('INTERNAL', 'worker pool is closed', { retriable: false }));
    if (this.state === 'failed') return Promise.reject(this.failure());
    const idle = this.idleHandle();
    if (idle && this.waiters.length === 0) {
      this.reservations.add(idle);
      return Promise.resolve(idle);
    }
    if (this.waiters.length >= this.opts.maxQueue) {
      return Promise.reject(
        new OrchError('OVERLOADED', `All ${this.opts.workers} workers are busy and the queue is full`, {
          retriable: true,
          status: 429,
        }),
      );
    }
    if (signal.aborted) return Promise.reject(signal.reason ?? cancelledError());
    return new Promise<WorkerHandle>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason ?? cancelledError());
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives a worker back after its job has settled. */
  release(handle: WorkerHandle): void {
    this.reservations.delete(handle);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) this.dropWaiter(w, cancelledError('The adapter was closed'));
    await Promise.all(this.handles.map((h) => h.terminate()));
  }

  private idleHandle(): WorkerHandle | undefined {
    return this.handles.find((h) => h.state === 'ready' && !h.busy && !this.reservations.has(h));
  }

  private dispatch(): void {
    while (this.waiters.length > 0) {
      const idle = this.idleHandle();
      if (!idle) return;
      const w = this.waiters.shift()!;
      w.signal.removeEventListener('abort', w.onAbort);
      this.reservations.add(idle);
      w.resolve(idle);
    }
  }

  private dropWaiter(w: Waiter, err: unknown): void {
    w.signal.removeEventListener('abort', w.onAbort);
    w.reject(err);
  }

  private spawn(): WorkerHandle {
    const handle = new WorkerHandle({ ...this.opts, onGone: (h) => this.onGone(h) });
    handle.ready.then(
      () => this.dispatch(),
      () => {},
    );
    return handle;
  }

  private onGone(handle: WorkerHandle): void {
    this.reservations.delete(handle);
    const i = this.handles.indexOf(handle);
    if (this.closed || i < 0) return;
    // Only a worker that had loaded is replaced: one that failed to load would fail again.
    if (handle.info && this.restarts < this.opts.maxRestarts) {
      this.restarts++;
      this.handles[i] = this.spawn();
    } else if (this.state === 'failed') {
      const err = this.failure();
      for (const w of this.waiters.splice(0)) this.dropWaiter(w, err);
    }
  }
}
