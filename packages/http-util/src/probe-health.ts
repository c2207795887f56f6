import { type CancelSignal, type HealthReport, toOrchError } from '@orch/adapter-api';
import type { HttpClient } from './http-client.js';
import type { ProbeResult } from './http-client-options.js';

/** Milliseconds to one decimal, as health reports carry them. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * One health probe of `path` (no retry, no breaker accounting): `interpret` turns an answer into a
 * report; no answer at all (refused, timed out, reset) is `unhealthy` and not live. The caller's own
 * abort is rethrown, not reported as the engine's ill health.
 */
export async function probeHealth(
  http: HttpClient,
  path: string,
  opts: { signal?: CancelSignal | undefined; timeoutMs?: number },
  interpret: (res: ProbeResult, checkedAt: number) => HealthReport,
): Promise<HealthReport> {
  const checkedAt = Date.now();
  const t0 = performance.now();
  try {
    const res = await http.probe(path, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    return interpret(res, checkedAt);
  } catch (err) {
    if (opts.signal?.aborted) throw toOrchError(opts.signal.reason);
    const e = toOrchError(err);
    return {
      state: 'unhealthy',
      live: false,
      ready: false,
      message: `${e.code}: ${e.message}`,
      latencyMs: roundMs(performance.now() - t0),
      checkedAt,
    };
  }
}
