import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { type Liveness, sleepUnlessGone } from './liveness.js';

const FLUSH_BYTES = 16 * 1024;
const FILL_CHUNK = 64 * 1024;

/**
 * Buffers SSE text and writes it in batches, honouring backpressure. Without a drip delay many events go
 * out per socket write, so the fake server is never the bottleneck of a benchmark.
 */
export class SseWriter {
  private buf = '';
  readonly prefix: string;
  /** When set, every chunk written is also kept here (with `tokens` at that moment) for the stream cache. */
  capture: { chunks: string[]; tokensAfter: number[] } | undefined;
  /** Tokens appended so far, maintained by the token runner. */
  tokens = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly live: Liveness,
    noSpaceAfterData: boolean,
    private readonly keepAliveMs = 0,
  ) {
    this.prefix = noSpaceAfterData ? 'data:' : 'data: ';
  }

  get gone(): boolean {
    return this.live.gone();
  }

  start(headers: OutgoingHttpHeaders): void {
    this.res.writeHead(200, headers);
    this.res.flushHeaders();
  }

  /** Appends `data: <json>\n\n`. */
  event(json: string): void {
    this.buf += `${this.prefix}${json}\n\n`;
  }

  append(text: string): void {
    this.buf += text;
  }

  get buffered(): number {
    return this.buf.length;
  }

  /** Writes what is buffered once it is big enough (or always with `force`); false once the client is gone. */
  async flush(force = true): Promise<boolean> {
    if (this.gone) return false;
    if (this.buf.length === 0 || (!force && this.buf.length < FLUSH_BYTES)) return true;
    const chunk = this.buf;
    this.buf = '';
    if (this.capture) {
      this.capture.chunks.push(chunk);
      this.capture.tokensAfter.push(this.tokens);
    }
    return this.writeChunk(chunk);
  }

  /** Writes one chunk, waiting for drain under backpressure; false once the client is gone. */
  async writeChunk(chunk: string | Buffer): Promise<boolean> {
    if (this.gone) return false;
    if (!this.res.write(chunk)) await this.waitDrain();
    else await yieldTurn();
    return !this.gone;
  }

  /** Ends the response without flushing (used after replaying cached chunks). */
  finish(): void {
    if (!this.gone) this.res.end();
  }

  private waitDrain(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Flushes and ends the body; false when the client had already gone. */
  async end(): Promise<boolean> {
    if (!(await this.flush())) return false;
    this.res.end();
    return true;
  }

  /** Flushes, then closes the socket in the middle of the chunked body (no terminating chunk). */
  async cut(): Promise<void> {
    if (!(await this.flush())) return;
    const socket = this.res.socket;
    this.live.markServerCut();
    if (!socket) {
      this.res.destroy();
      return;
    }
    // end() lets the written bytes out before the FIN; destroy once flushed (or if the peer closed first).
    await new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('finish', done);
        socket.off('close', done);
        socket.destroy();
        resolve();
      };
      socket.once('finish', done);
      socket.once('close', done);
      socket.end();
    });
  }

  /** Waits `ms` (or until the client leaves), sending keep-alive comments if configured. */
  async sleep(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.gone) {
      const left = until - Date.now();
      if (left <= 0) return;
      const step = this.keepAliveMs > 0 ? Math.min(left, this.keepAliveMs) : left;
      await sleepUnlessGone(this.live, step);
      if (this.keepAliveMs > 0 && Date.now() < until && !this.gone) this.res.write(':\n\n');
    }
  }

  /** Sends nothing more until the client leaves (keep-alive comments aside). */
  async hang(): Promise<void> {
    await this.flush();
    while (!this.gone) {
      if (this.keepAliveMs <= 0) {
        await this.live.onGone;
        return;
      }
      await sleepUnlessGone(this.live, this.keepAliveMs);
      if (!this.gone) this.res.write(':\n\n');
    }
  }

  /** One data line of `bytes` bytes that never ends with a newline, then the body ends. */
  async hugeLine(bytes: number): Promise<void> {
    if (!(await this.flush())) return;
    const head = `${this.prefix}{"index":1,"token":{"id":1,"text":"`;
    let left = Math.max(0, bytes - head.length);
    this.buf = head;
    const block = 'x'.repeat(FILL_CHUNK);
    while (left > 0 && !this.gone) {
      const n = Math.min(left, FILL_CHUNK);
      this.buf += n === FILL_CHUNK ? block : block.slice(0, n);
      left -= n;
      if (!(await this.flush())) return;
    }
    await this.end();
  }
}
