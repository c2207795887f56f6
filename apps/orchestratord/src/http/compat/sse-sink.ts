// Writes SSE data lines with backpressure: a slow reader pauses this job's relay instead of growing
// the socket buffer without bound.
import type { ServerResponse } from 'node:http';
import { drained, writeSse } from '../respond.js';

const CORKED = Symbol('orch.sseCorked');
type Corkable = ServerResponse & { [CORKED]?: boolean };

function uncork(res: Corkable): void {
  res[CORKED] = false;
  if (!res.destroyed) res.uncork();
}

/**
 * One `data:` event; waits only when the socket buffer is full. The events written in one loop turn
 * (the tokens of one upstream read) leave in one syscall, each still its own SSE frame and in order;
 * the buffer is flushed at the end of the turn (or by `res.end()`), so no token waits for the next.
 */
export function sendData(res: ServerResponse, data: string): Promise<void> | undefined {
  if (res.destroyed || res.writableEnded) return undefined;
  const r = res as Corkable;
  if (!r[CORKED]) {
    r[CORKED] = true;
    res.cork();
    setImmediate(uncork, r);
  }
  return writeSse(res, data) ? undefined : drained(res);
}
