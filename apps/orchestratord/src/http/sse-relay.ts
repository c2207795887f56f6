import type { ServerResponse } from 'node:http';
import type { CancelSignal, TokenEvent } from '@orch/adapter-api';
import type { JobHandle } from '../core/orchestrator-types.js';
import { queueSse } from './sse-sink.js';

/** One SSE frame; `end` is preceded by a `metrics` frame carrying the job's figures. */
export function sseFrames(ev: TokenEvent): string {
  if (ev.type === 'end') {
    const metrics = { job_id: ev.job_id, ...ev.metrics, usage: ev.usage };
    return `event: metrics\ndata: ${JSON.stringify(metrics)}\n\nevent: end\ndata: ${JSON.stringify(ev)}\n\n`;
  }
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

/**
 * Queues a job's events (replayed, then live) as SSE frames (sse-sink: the frames of one loop turn
 * leave in one write, so no token waits for the next; end the response with `endSse`). Honours
 * socket backpressure. Returns when the terminal event is queued or the client left; a client
 * leaving a job nobody else follows cancels it (the upstream socket closes).
 */
export async function relayJobEvents(
  res: ServerResponse,
  job: JobHandle & { readonly followers?: number; readonly isFinished?: boolean },
  signal: CancelSignal,
): Promise<void> {
  const onAbort = () => {
    if (job.isFinished === false && (job.followers ?? 1) <= 1) job.cancel();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  // take() where the handle has it (the core's Job): an event already in the log costs no promise.
  const it: AsyncIterator<TokenEvent> & { take?: () => TokenEvent | undefined } = job
    .events()
    [Symbol.asyncIterator]();
  try {
    for (;;) {
      let ev = it.take?.();
      if (!ev) {
        const step = await it.next();
        if (step.done) break;
        ev = step.value;
      }
      if (res.destroyed || res.writableEnded) break;
      const full = queueSse(res, sseFrames(ev));
      if (full) await full;
    }
  } finally {
    // Stops following the job (idempotent), so a client that left no longer counts as one.
    await it.return?.();
    signal.removeEventListener('abort', onAbort);
  }
}
