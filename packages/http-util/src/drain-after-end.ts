import type { SseStream } from './sse-stream.js';

const DEFAULT_GRACE_MS = 1000;
const MAX_TRAILING_READS = 8;

/**
 * Called once the final event was handed on. TGI ends the body right after it, usually in the same
 * read; reading that end (instead of destroying the body) lets undici keep the connection alive for
 * the next job. Bounded: a few reads or `graceMs`, then the socket is closed anyway. The caller never
 * waits for this.
 */
export function drainAfterEnd(sse: SseStream, it: AsyncIterator<unknown>, graceMs = DEFAULT_GRACE_MS): void {
  const timer = setTimeout(() => sse.close(), graceMs);
  timer.unref();
  void (async () => {
    try {
      for (let i = 0; i < MAX_TRAILING_READS; i++) {
        const step = await it.next();
        if (step.done) break;
      }
    } catch {
      // The job is already over; a late transport error has nobody to tell.
    } finally {
      clearTimeout(timer);
      sse.close();
    }
  })();
}
