// The SSE frames of one response, batched per loop turn. Each frame is still its own SSE event and
// in order; what changes is the syscall: the frames made from one upstream read leave as one HTTP
// chunk in one write. Corking did the same with one buffer per frame (three with chunked framing),
// and the writev over those iovecs was a fifth of the daemon's CPU when relaying tokens (BENCHMARKS).
import type { ServerResponse } from 'node:http';
import { drained } from './respond.js';

const PENDING = Symbol('orch.ssePending');
type Batched = ServerResponse & { [PENDING]?: string };

/** Past this many characters the batch is written at once, so it stays bounded under a flood. */
const FLUSH_AT = 16 * 1024;

/**
 * Starts an SSE response. The headers go out with the first frames when those are queued in this
 * loop turn (one write instead of two), and on their own at the end of the turn otherwise, so a
 * client whose job waits in the queue still sees its 200 at once.
 */
export function startSse(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // No buffering in proxies (nginx) in front of the daemon.
    'x-accel-buffering': 'no',
  });
  const r = res as Batched;
  if (r[PENDING] === undefined) {
    r[PENDING] = '';
    setImmediate(flushLater, r);
  }
}

/** Writes what is pending; false when the socket buffer is full (the caller should wait for drain). */
export function flushSse(res: ServerResponse): boolean {
  const r = res as Batched;
  const text = r[PENDING];
  if (text === undefined) return true;
  r[PENDING] = undefined;
  if (res.destroyed || res.writableEnded) return true;
  // Empty: only the headers of startSse are waiting (every SSE write comes through here).
  if (text === '') {
    res.flushHeaders();
    return true;
  }
  return res.write(text);
}

function flushLater(res: Batched): void {
  flushSse(res);
}

/**
 * Queues one whole SSE frame. It leaves at the end of the current loop turn (or sooner when the
 * batch is large, or at `endSse`), so no frame waits for the next. Resolves later only when the
 * socket buffer is full: a slow reader pauses the relay instead of growing memory without bound.
 */
export function queueSse(res: ServerResponse, frame: string): Promise<void> | undefined {
  if (res.destroyed || res.writableEnded) return undefined;
  const r = res as Batched;
  const pending = r[PENDING];
  if (pending === undefined) {
    r[PENDING] = frame;
    setImmediate(flushLater, r);
  } else r[PENDING] = pending + frame;
  if (pending !== undefined && pending.length + frame.length >= FLUSH_AT && !flushSse(res)) {
    return drained(res);
  }
  return res.writableNeedDrain ? drained(res) : undefined;
}

/** One `data:` event (the OpenAI and TGI stream framing). */
export function sendData(res: ServerResponse, data: string): Promise<void> | undefined {
  return queueSse(res, `data: ${data}\n\n`);
}

/** Ends the response with what is pending: the last frames and the final chunk in one write. */
export function endSse(res: ServerResponse): void {
  const r = res as Batched;
  const text = r[PENDING];
  r[PENDING] = undefined;
  if (text) res.end(text);
  else res.end();
}
