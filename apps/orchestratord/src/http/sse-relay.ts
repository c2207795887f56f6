import type { ServerResponse } from 'node:http';
import type { CancelSignal, TokenEvent } from '@orch/adapter-api';
import type { JobHandle } from '../core/orchestrator-types.js';
import { drained } from './respond.js';

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
 * Writes a job's events (replayed, then live) as SSE, one write per event so each token leaves
 * at once. Honours socket backpressure. Returns when the terminal event is written or the client
 * left; a client leaving a job nobody else follows cancels it (the upstream socket closes).
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
  // Events that arrive in one burst (one upstream read) leave in one syscall; a lone event is
  // flushed at the end of the current loop turn, so nothing waits for more tokens.
  let corked = false;
  const flush = () => {
    corked = false;
    if (!res.destroyed) res.uncork();
  };
  try {
    for await (const ev of job.events()) {
      if (res.destroyed || res.writableEnded) break;
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(flush);
      }
      if (!res.write(sseFrames(ev, extra))) await drained(res);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
