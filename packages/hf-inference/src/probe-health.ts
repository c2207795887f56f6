import type { CancelSignal, HealthReport } from '@orch/adapter-api';
import { type HttpClient, probeHealth as probeWith, roundMs } from '@orch/http-util';
import { isLoadingBody, readHfErrorBody } from './hf-error.js';

export interface ProbeOutcome {
  status: number;
  bodyText: string;
  latencyMs: number;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What one authenticated GET says about a hosted pool. Refused credentials and unknown models are
 * `unhealthy` (jobs would fail); rate limiting and a loading model are `degraded` and not ready (jobs
 * would wait or be refused for now); other 5xx unhealthy; anything else answered means ready.
 */
export function healthFromProbe(
  p: ProbeOutcome,
  path: string,
  slowMs: number,
  checkedAt: number,
): HealthReport {
  const latencyMs = roundMs(p.latencyMs);
  const base = { latencyMs, checkedAt, live: true };
  const detail = readHfErrorBody(parse(p.bodyText)).message ?? p.bodyText.trim().slice(0, 200);
  const said = `${path} answered ${p.status}${detail ? `: ${detail}` : ''}`;
  if (p.status === 401 || p.status === 402 || p.status === 403) {
    return { ...base, state: 'unhealthy', ready: false, message: `credentials refused: ${said}` };
  }
  if (p.status === 404) return { ...base, state: 'unhealthy', ready: false, message: said };
  if (p.status === 429) return { ...base, state: 'degraded', ready: false, message: `rate limited: ${said}` };
  if (isLoadingBody(p.status, readHfErrorBody(parse(p.bodyText)))) {
    return { ...base, state: 'degraded', ready: false, message: `model loading: ${said}` };
  }
  if (p.status >= 500) return { ...base, state: 'unhealthy', ready: false, message: said };
  if (latencyMs > slowMs) {
    return { ...base, state: 'degraded', ready: true, message: `${path} took ${latencyMs} ms` };
  }
  return { ...base, state: 'healthy', ready: true };
}

/** Probes `path` (no retry, no breaker accounting); a transport failure is `unhealthy` and not live. */
export function probeHealth(
  http: HttpClient,
  path: string,
  slowMs: number,
  signal?: CancelSignal,
): Promise<HealthReport> {
  return probeWith(http, path, { signal }, (res, checkedAt) => healthFromProbe(res, path, slowMs, checkedAt));
}
