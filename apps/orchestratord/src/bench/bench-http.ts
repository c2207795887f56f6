// The bench client's requests: undici Pools (keep-alive, enough connections for the open-loop rate)
// and bodies that make the fake produce an exact token count (`#tokens=N`).
import { Pool } from 'undici';
import { PatternCounter } from './pattern-counter.js';

export function makePool(url: string, connections = 256): Pool {
  return new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
}

export function chatBody(tokens: number, tag?: number): string {
  const t = tag === undefined ? '' : ` #bench=${tag}`;
  return JSON.stringify({
    model: 'tgi',
    messages: [{ role: 'user', content: `Say something. #tokens=${tokens}${t}` }],
    max_tokens: tokens,
  });
}

export function generateBody(tokens: number, tag?: number): string {
  const t = tag === undefined ? '' : ` #bench=${tag}`;
  return JSON.stringify({
    inputs: `Say something. #tokens=${tokens}${t}`,
    parameters: { max_new_tokens: tokens },
  });
}

export function taskBody(tokens: number, tag?: number): string {
  const t = tag === undefined ? '' : ` #bench=${tag}`;
  return JSON.stringify({ prompt: `Say something. #tokens=${tokens}${t}`, max_tokens: tokens });
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export interface JsonReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Every bench request is bounded in time, so a stalled server cannot hang the run. */
const REQUEST_TIMEOUT_MS = 10_000;
const STREAM_TIMEOUT_MS = 60_000;

export async function postJson(
  pool: Pool,
  path: string,
  body: string,
  signal: AbortSignal = AbortSignal.timeout(REQUEST_TIMEOUT_MS),
): Promise<JsonReply> {
  const res = await pool.request({ method: 'POST', path, headers: JSON_HEADERS, body, signal });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

export async function getJson(pool: Pool, path: string): Promise<JsonReply> {
  const res = await pool.request({ method: 'GET', path, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

export interface StreamResult {
  status: number;
  /** ms from the request's start to the first token event. */
  ttftMs: number;
  /** ms from the request's start to the end of the body. */
  totalMs: number;
  tokens: number;
}

/**
 * POSTs (or GETs when body is undefined) and reads an SSE body to its end, counting token events by
 * `pattern` (`data:` on TGI's /generate_stream, `event: token` on /v2 events).
 */
export async function readStream(
  pool: Pool,
  method: 'GET' | 'POST',
  path: string,
  body: string | undefined,
  pattern: string,
  startedAt = performance.now(),
): Promise<StreamResult> {
  const res = await pool.request({
    method,
    path,
    signal: AbortSignal.timeout(STREAM_TIMEOUT_MS),
    ...(body !== undefined ? { headers: JSON_HEADERS, body } : {}),
  });
  const counter = new PatternCounter(pattern);
  let ttft = Number.NaN;
  for await (const chunk of res.body) {
    if (counter.push(chunk as Buffer) > 0 && Number.isNaN(ttft)) ttft = performance.now() - startedAt;
  }
  return {
    status: res.statusCode,
    ttftMs: ttft,
    totalMs: performance.now() - startedAt,
    tokens: counter.count,
  };
}

/** Waits (bounded) until the daemon's bench pool has a ready replica. */
export async function waitPoolReady(pool: Pool, timeoutMs = 15_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const r = await getJson(pool, '/v2/pools/bench/health').catch(() => undefined);
    if (r?.status === 200 && (JSON.parse(r.text) as { ready?: boolean }).ready === true) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the daemon's bench pool was not ready within ${timeoutMs} ms`);
}
