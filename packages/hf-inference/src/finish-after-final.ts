import type { SseStream } from '@orch/http-util';

const GRACE_MS = 1000;
const MAX_READS = 4;

/**
 * After the final event went out, reads what is left of the body (normally just its end, often
 * already buffered) so undici can return the connection to the pool: closing an unfinished body
 * destroys the socket, which against the real router means a new TLS handshake for the next job.
 * Bounded by a few reads and a grace timer, after which the socket is closed anyway; nobody awaits it.
 * (tgi-http has the same helper, unexported: one shared copy in http-util would be better.)
 */
export function finishAfterFinal(sse: SseStream, reads: AsyncIterator<unknown>): void {
  const timer = setTimeout(() => sse.close(), GRACE_MS);
  timer.unref();
  void (async () => {
    try {
      for (let i = 0; i < MAX_READS; i++) if ((await reads.next()).done) break;
    } catch {
      // The job already ended; a late transport error concerns nobody.
    } finally {
      clearTimeout(timer);
      sse.close();
    }
  })();
}
