// Open-loop load: requests start on a fixed schedule whatever happened to the previous ones, and
// latency is measured from the scheduled start, so a stalled server cannot hide its queueing
// (no coordinated omission). Bounded in count and time; stops by itself.

export interface OpenLoopOptions {
  ratePerSec: number;
  durationMs: number;
  /** Client-side timeout per request; a request over it counts as failed. */
  timeoutMs: number;
  /** Sends one request; may resolve with a figure the server reported (e.g. its overhead header). */
  fire: (signal: AbortSignal) => Promise<number | undefined>;
}

export interface OpenLoopResult {
  sent: number;
  ok: number;
  failed: number;
  /** Latencies of the successful requests, ms from their scheduled start. */
  latencies: number[];
  /** How late the driver launched each request (ms): the client's own share of the latency. */
  launchLag: number[];
  /** Figures returned by `fire` for successful requests. */
  reported: number[];
  /** First few failure reasons, for the report. */
  errors: string[];
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const total = Math.round((opts.ratePerSec * opts.durationMs) / 1000);
  const intervalMs = 1000 / opts.ratePerSec;
  const latencies: number[] = [];
  const launchLag: number[] = [];
  const reported: number[] = [];
  const errors: string[] = [];
  let ok = 0;
  let failed = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  let sent = 0;

  const launch = (scheduledAt: number) => {
    launchLag.push(performance.now() - scheduledAt);
    const signal = AbortSignal.timeout(opts.timeoutMs);
    const p = opts.fire(signal).then(
      (figure) => {
        const latency = performance.now() - scheduledAt;
        if (latency <= opts.timeoutMs) {
          ok++;
          latencies.push(latency);
          if (figure !== undefined) reported.push(figure);
        } else {
          failed++;
          if (errors.length < 5) errors.push(`over ${opts.timeoutMs} ms from schedule`);
        }
      },
      (err: unknown) => {
        failed++;
        if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
      },
    );
    pending.push(p);
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Launch everything that is due; a late tick catches up instead of shifting the schedule.
      while (sent < total && t0 + sent * intervalMs <= now) {
        launch(t0 + sent * intervalMs);
        sent++;
      }
      if (sent >= total) {
        resolve();
        return;
      }
      // Never spin: on two cores a busy driver would steal the CPU the daemon is measured on.
      const wait = t0 + sent * intervalMs - performance.now();
      setTimeout(tick, Math.max(1, Math.floor(wait)));
    };
    tick();
  });
  await Promise.all(pending);
  return { sent, ok, failed, latencies, launchLag, reported, errors };
}
