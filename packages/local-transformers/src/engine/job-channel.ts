import type { CancelSignal } from '@orch/adapter-api';
/**
 * Hands worker messages (pushed from event callbacks) to an async consumer. It holds at most one
 * job's events, which max_tokens bounds; an abort of `signal` wakes a waiting consumer at once so
 * the generator can run its cleanup.
 */
export class JobChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private failure: { error: unknown } | undefined;
  private readonly onAbort: () => void;

  constructor(private readonly signal: CancelSignal) {
    this.onAbort = () => this.fail(signal.reason);
    // An already aborted signal never fires 'abort' again: fail now or a consumer would wait forever.
    if (signal.aborted) this.fail(signal.reason);
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  push(item: T): void {
    if (this.done || this.failure) return;
    this.items.push(item);
    this.notify();
  }

  end(): void {
    this.done = true;
    this.notify();
  }

  fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.notify();
  }

  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.done = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    try {
      while (true) {
        if (this.failure) throw this.failure.error;
        const item = this.items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (this.done) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.close();
    }
  }
}
