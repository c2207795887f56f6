import type { Readable } from 'node:stream';
import { type CancelSignal, OrchError, type RedactedRequest } from '@orch/adapter-api';
import { createParser, type EventSourceParser, type ParseError } from 'eventsource-parser';
import { callHook, type HttpHooks } from './hooks.js';
import { discardBody } from './read-body.js';
import { mapTransportError } from './transport-error.js';

export interface SseMessage {
  data: string;
  event?: string;
  id?: string;
}

export interface SseStream extends AsyncIterable<SseMessage> {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly requestId?: string;
  /**
   * The same messages grouped as parsed from one network read (never empty), for consumers that
   * want one await per read instead of one per message. Use either this or the plain iterator.
   */
  batches(): AsyncIterable<SseMessage[]>;
  /** Destroys the socket now (cancel reaches the upstream). Idempotent. */
  close(): void;
}

export interface SseStreamInit {
  body: Readable;
  status: number;
  headers: Record<string, string>;
  requestId?: string | undefined;
  request: RedactedRequest;
  /** Longest line, and largest event, accepted before a PROTOCOL error. */
  maxLineBytes: number;
  signal?: CancelSignal | undefined;
  hooks?: HttpHooks | undefined;
  /** performance.now() when the request started, for elapsedMs. */
  startedAt: number;
  /** Told once how the stream ended (undefined = clean end of body). */
  onSettled?: ((error: OrchError | undefined) => void) | undefined;
}

const LF = 10;
const CR = 13;
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Pull-based SSE reader over an undici Node-stream body: one body chunk is read only when the
 * consumer has taken every message parsed from the previous one, so the queue is bounded by one
 * chunk and a slow consumer pushes back on the socket. Single-consumer.
 */
export class SseReader implements SseStream, AsyncIterator<SseMessage> {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly requestId?: string;
  private readonly init: SseStreamInit;
  private readonly source: AsyncIterator<Buffer>;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly parser: EventSourceParser;
  private queue: SseMessage[] = [];
  private head = 0;
  private failure: OrchError | undefined;
  private settled = false;
  private events = 0;
  private bytes = 0;
  private lineBytes = 0;
  private readonly onAbort = (): void => this.abort();

  constructor(init: SseStreamInit) {
    this.init = init;
    this.status = init.status;
    this.headers = init.headers;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    this.source = (init.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    this.parser = createParser({
      onEvent: (ev) => {
        this.events++;
        // The parser's own object (event/id may be present as undefined): no copy on the hot path.
        this.queue.push(ev as SseMessage);
      },
      onError: (err: ParseError) => {
        if (err.type === 'max-buffer-size-exceeded')
          this.protocolError('An SSE event exceeded the size limit');
      },
      // A comment-only keep-alive must not count towards an event's size.
      onComment: () => {},
      maxBufferSize: init.maxLineBytes,
    });
    if (init.signal) {
      if (init.signal.aborted) this.abort();
      else init.signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<SseMessage> {
    return this;
  }

  next(): Promise<IteratorResult<SseMessage>> {
    // Fast path without an async function frame: most calls find a message already parsed.
    if (this.head < this.queue.length) return Promise.resolve({ done: false, value: this.take() });
    return this.nextSlow();
  }

  private take(): SseMessage {
    const value = this.queue[this.head++]!;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return value;
  }

  private async nextSlow(): Promise<IteratorResult<SseMessage>> {
    for (;;) {
      if (this.head < this.queue.length) return { done: false, value: this.take() };
      if (this.failure) throw this.failure;
      if (this.settled) return DONE;
      await this.pull();
    }
  }

  batches(): AsyncIterable<SseMessage[]> {
    const iterator: AsyncIterableIterator<SseMessage[]> = {
      next: () => this.nextBatch(),
      return: async () => {
        this.close();
        return DONE;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Everything queued (at least one message), or done at a clean end. */
  private nextBatch(): Promise<IteratorResult<SseMessage[]>> {
    // Fast path without an async function frame, as in next().
    if (this.head < this.queue.length) return Promise.resolve({ done: false, value: this.takeBatch() });
    return this.nextBatchSlow();
  }

  private async nextBatchSlow(): Promise<IteratorResult<SseMessage[]>> {
    for (;;) {
      if (this.head < this.queue.length) return { done: false, value: this.takeBatch() };
      if (this.failure) throw this.failure;
      if (this.settled) return DONE;
      await this.pull();
    }
  }

  private takeBatch(): SseMessage[] {
    const batch = this.head === 0 ? this.queue : this.queue.slice(this.head);
    // Hand the array over and start a fresh one: the consumer owns what it got.
    this.queue = [];
    this.head = 0;
    return batch;
  }

  async return(): Promise<IteratorResult<SseMessage>> {
    this.close();
    return DONE;
  }

  close(): void {
    if (this.settled) return;
    this.queue.length = 0;
    this.head = 0;
    this.settle(
      new OrchError('CANCELLED', 'The stream was closed by its consumer', { retriable: false }),
      false,
    );
  }

  private abort(): void {
    if (this.settled) return;
    this.queue.length = 0;
    this.head = 0;
    const err = mapTransportError(new Error('aborted'), {
      request: this.init.request,
      signal: this.init.signal,
      phase: 'body',
    });
    this.settle(err, true);
  }

  private async pull(): Promise<void> {
    let step: IteratorResult<Buffer>;
    try {
      step = await this.source.next();
    } catch (err) {
      if (this.settled) return;
      this.settle(
        mapTransportError(err, { request: this.init.request, signal: this.init.signal, phase: 'body' }),
        true,
      );
      return;
    }
    if (this.settled) return;
    if (step.done) {
      // A last event without its blank line is still delivered: the body ended cleanly.
      this.feed(`${this.decoder.decode()}\n\n`);
      if (!this.settled) this.settle(undefined, false);
      return;
    }
    const chunk = step.value;
    this.bytes += chunk.length;
    const nl = Math.max(chunk.lastIndexOf(LF), chunk.lastIndexOf(CR));
    this.lineBytes = nl === -1 ? this.lineBytes + chunk.length : chunk.length - nl - 1;
    if (this.lineBytes > this.init.maxLineBytes) {
      this.protocolError(`An SSE line exceeded ${this.init.maxLineBytes} bytes`);
      return;
    }
    const text = this.decoder.decode(chunk, { stream: true });
    if (this.init.hooks?.onChunk) {
      callHook(this.init.hooks.onChunk, { request: this.init.request, bytes: chunk.length, chunk: text });
    }
    this.feed(text);
  }

  private feed(text: string): void {
    // A hook may have closed the stream; nothing may be queued after that.
    if (text.length === 0 || this.settled) return;
    this.parser.feed(text);
  }

  private protocolError(message: string): void {
    if (this.settled) return;
    // Messages parsed before the bad data are still delivered, then the error.
    this.settle(new OrchError('PROTOCOL', message, { retriable: false, request: this.init.request }), true);
  }

  private settle(error: OrchError | undefined, surface: boolean): void {
    if (this.settled) return;
    this.settled = true;
    if (surface) this.failure = error;
    this.init.signal?.removeEventListener('abort', this.onAbort);
    // Destroying an unfinished undici body aborts the request, which closes the socket.
    discardBody(this.init.body);
    const onComplete = this.init.hooks?.onStreamComplete;
    if (onComplete) {
      const info = {
        request: this.init.request,
        status: this.status,
        events: this.events,
        bytes: this.bytes,
        elapsedMs: performance.now() - this.init.startedAt,
      };
      callHook(onComplete, error ? { ...info, error } : info);
    }
    this.init.onSettled?.(error);
  }
}
