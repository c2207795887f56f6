// A one-line status on a terminal while `orchd submit` waits for its first token: which replicas are
// still loading their model (their health message, e.g. "loading the model (12 s)") or the queue.
import type { OrchClient } from '@orch/client';
import { z } from 'zod';
import type { CliIo } from './cli-common.js';

const Pools = z.array(
  z.looseObject({
    id: z.string(),
    replicas: z
      .array(
        z.looseObject({
          id: z.string(),
          state: z.string(),
          health: z.looseObject({ message: z.string().optional() }).nullable().optional(),
        }),
      )
      .optional(),
  }),
);

const CLEAR = '\r\x1b[2K';

export interface Progress {
  /** Clears the status line; idempotent. */
  stop(): void;
}

export function startProgress(
  client: OrchClient,
  io: CliIo,
  opts: { enabled: boolean; intervalMs?: number; queuePosition?: number },
): Progress {
  if (!opts.enabled) return { stop() {} };
  const t0 = Date.now();
  let shown = false;
  let busy = false;
  let stopped = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const parsed = Pools.safeParse(await client.pools());
      if (stopped) return;
      const loading = parsed.success
        ? parsed.data.flatMap((p) =>
            (p.replicas ?? [])
              .filter((r) => r.state !== 'ready')
              .map((r) => `${p.id}/${r.id} ${r.health?.message ?? r.state}`),
          )
        : [];
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      const what = loading.length
        ? `waiting for ${loading.join(', ')}`
        : `waiting for the first token${opts.queuePosition ? ` (queue position ${opts.queuePosition})` : ''}`;
      io.stderr.write(`${CLEAR}${what} [${secs} s]`);
      shown = true;
    } catch {
      // A status line is best effort: the job's own stream reports real failures.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 500);
  timer.unref();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (shown) io.stderr.write(CLEAR);
    },
  };
}
