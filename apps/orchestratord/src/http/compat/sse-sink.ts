// Writes SSE data lines with backpressure: a slow reader pauses this job's relay instead of growing
// the socket buffer without bound.
import type { ServerResponse } from 'node:http';
import { writeSse } from '../respond.js';

/** Resolves when the socket drained or closed; the listeners are removed either way. */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** One `data:` event; waits only when the socket buffer is full. */
export async function sendData(res: ServerResponse, data: string): Promise<void> {
  if (res.destroyed || res.writableEnded) return;
  if (!writeSse(res, data)) await drained(res);
}
