// Why not an AbortController per job: on Node 20 every AbortSignal outlives the young generation
// (measured: 20k `new AbortController().signal` per tick promote ~1 MB per scavenge, while a plain
// EventTarget or AbortController whose signal is never read promotes nothing). At 1000 jobs/s the
// daemon's two signals per request were most of what each scavenge copied, and the reason old-space
// collections came every few seconds. A Canceller is a plain object; a real AbortSignal is made
// only for code that asks for one.

/**
 * The part of AbortSignal that cancellation plumbing uses. A real AbortSignal is one; so is a
 * Canceller. undici (`request`, `stream`), Node's `validateAbortSignal` users and undici's fetch
 * accept any object of this shape.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

type Listener = () => void;

/**
 * A one-shot abort: controller and signal in one object. Listeners run once, in the order added,
 * on the first `abort()`; one added after that never runs (as with AbortSignal, check `aborted`
 * first). `signal` gives a real AbortSignal that follows this one, made on first use.
 */
export class Canceller implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  // Most cancellers have zero or one listener: no array for those.
  private first: Listener | undefined = undefined;
  private more: Listener[] | undefined = undefined;
  private real: AbortController | undefined = undefined;

  /** `once` is how every listener behaves here: a canceller aborts once. */
  addEventListener(_type: 'abort', listener: Listener, _options?: { once?: boolean }): void {
    if (this.aborted) return;
    if (this.first === undefined && this.more === undefined) this.first = listener;
    else if (this.more) this.more.push(listener);
    else this.more = [listener];
  }

  removeEventListener(_type: 'abort', listener: Listener): void {
    if (this.first === listener) {
      this.first = undefined;
      return;
    }
    const i = this.more ? this.more.indexOf(listener) : -1;
    if (i >= 0) this.more!.splice(i, 1);
  }

  /** Aborts once (later calls do nothing) with `reason`, an AbortError DOMException by default. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason =
      reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    const first = this.first;
    const more = this.more;
    this.first = undefined;
    this.more = undefined;
    if (first) call(first);
    if (more) for (const l of more) call(l);
    this.real?.abort(this.reason);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** A real AbortSignal that aborts with this canceller (for APIs that brand-check, e.g. AbortSignal.any). */
  get signal(): AbortSignal {
    if (!this.real) {
      this.real = new AbortController();
      if (this.aborted) this.real.abort(this.reason);
    }
    return this.real.signal;
  }
}

/** A throwing listener must not stop the others; its error surfaces as EventTarget's would (uncaught). */
function call(listener: Listener): void {
  try {
    listener();
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}
