import type { ServerResponse } from 'node:http';
import type { CancelSignal, TokenEvent } from '@orch/adapter-api';
import type { JobHandle } from '../core/orchestrator-types.js';
import { queueSse } from './sse-sink.js';

/** One SSE frame; `end` is preceded by a `metrics` frame carrying the job's figures. */
export function sseFrames(ev: TokenEvent, extra: Record<string, unknown> = {}): string {
  const data = Object.keys(extra).length ? { ...ev, ...extra } : ev;
  if (ev.type === 'end') {
    const metrics = { job_id: ev.job_id, ...ev.metrics, usage: ev.usage, ...extra };
    return `event: metrics\ndata: ${JSON.stringify(metrics)}\n\nevent: end\ndata: ${JSON.stringify(data)}\n\n`;
  }
  return `event: ${ev.type}\ndata: ${JSON.stringify(data)}\n\n`;
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
  extra: Record<string, unknown> = {},
): Promise<void> {
  const onAbort = () => {
    if (job.isFinished === false && (job.followers ?? 1) <= 1) job.cancel();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const ev of job.events()) {
      if (res.destroyed || res.writableEnded) break;
      const full = queueSse(res, sseFrames(ev, extra));
      if (full) await full;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
