import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** axum's plain-text body rejections (they happen before TGI's handler runs). */
export const PLAIN_TEXT: Record<400 | 413 | 415 | 422, string> = {
  400: 'Failed to parse the request body as JSON: expected value at line 1 column 1',
  413: 'Failed to buffer the request body: length limit exceeded',
  415: 'Expected request with `Content-Type: application/json`',
  422: 'Failed to deserialize the JSON body into the target type: missing field `inputs` at line 1 column 2',
};

export function baseHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  // Lower-case names like hyper; we set date ourselves because node's automatic one is title-cased.
  return { ...extra, date: new Date().toUTCString() };
}

export function sendEmpty(res: ServerResponse, status: number, extra: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, baseHeaders({ 'content-length': '0', ...extra }));
  res.end();
}

export function sendPlain(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text);
  res.writeHead(
    status,
    baseHeaders({ 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) }),
  );
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  json: string,
  extra: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(json);
  res.writeHead(
    status,
    baseHeaders({ 'content-type': 'application/json', ...extra, 'content-length': String(body.length) }),
  );
  res.end(body);
}

/** TGI's `{"error": string, "error_type": string}` body. */
export function tgiError(error: string, errorType: string): string {
  return `{"error":${JSON.stringify(error)},"error_type":${JSON.stringify(errorType)}}`;
}

export function sendTgiError(
  res: ServerResponse,
  status: number,
  error: string,
  errorType: string,
  extra: OutgoingHttpHeaders = {},
): void {
  sendJson(res, status, tgiError(error, errorType), extra);
}

export function validationMessage(msg: string): string {
  return `Input validation error: ${msg}`;
}

/** Headers on SSE responses (no timing or token-count headers on streams). */
export function streamHeaders(computeChars: number): OutgoingHttpHeaders {
  return baseHeaders({
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-compute-type': 'gpu+optimized',
    'x-compute-characters': String(computeChars),
    'x-accel-buffering': 'no',
    'transfer-encoding': 'chunked',
  });
}

export interface TimingInput {
  startedAt: number;
  computeChars: number;
  promptTokens: number;
  generatedTokens: number;
  /** /v1/completions leaves out x-compute-time. */
  withComputeTime?: boolean;
}

/** The timing and count headers TGI puts on non-stream answers. */
export function timingHeaders(t: TimingInput): OutgoingHttpHeaders {
  const total = Math.max(0, Date.now() - t.startedAt);
  const perToken = t.generatedTokens > 0 ? Math.floor(total / t.generatedTokens) : 0;
  const h: OutgoingHttpHeaders = { 'x-compute-type': 'gpu+optimized' };
  if (t.withComputeTime !== false) h['x-compute-time'] = String(total / 1000);
  Object.assign(h, {
    'x-compute-characters': String(t.computeChars),
    'x-total-time': String(total),
    'x-validation-time': '0',
    'x-queue-time': '0',
    'x-inference-time': String(total),
    'x-time-per-token': String(perToken),
    'x-prompt-tokens': String(t.promptTokens),
    'x-generated-tokens': String(t.generatedTokens),
  });
  return h;
}
