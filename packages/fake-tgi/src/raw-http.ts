import { request } from 'node:http';

export interface RawResponse {
  status: number;
  /** Header names exactly as they came over the wire, with values, in order. */
  rawHeaders: [string, string][];
  /** The decoded body (chunked framing removed) as exact bytes. */
  body: Buffer;
  /** True when the connection ended before the body was complete. */
  truncated: boolean;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent verbatim when a string, JSON-encoded otherwise (with content-type: application/json). */
  body?: unknown;
}

/** A bare node:http request that keeps header case and body bytes, for byte-level wire checks. */
export function rawRequest(url: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  let payload: string | undefined;
  if (opts.body !== undefined) {
    payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    if (typeof opts.body !== 'string' && !('content-type' in headers)) {
      headers['content-type'] = 'application/json';
    }
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? (payload ? 'POST' : 'GET'), headers, agent: false });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      const rawHeaders: [string, string][] = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        rawHeaders.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
      }
      let truncated = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('aborted', () => {
        truncated = true;
      });
      res.once('error', () => {
        truncated = true;
      });
      res.once('close', () => {
        resolve({
          status: res.statusCode ?? 0,
          rawHeaders,
          body: Buffer.concat(chunks),
          truncated: truncated || !res.complete,
        });
      });
    });
    req.end(payload);
  });
}

/** Splits an SSE body into its `data:` payloads (accepting `data:` with or without the space). */
export function sseData(body: string): string[] {
  return body
    .split('\n\n')
    .filter((b) => b.length > 0)
    .map((b) => b.replace(/^data: ?/, ''));
}

/** A response header value by case-insensitive name. */
export function headerOf(res: RawResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return res.rawHeaders.find(([k]) => k.toLowerCase() === lower)?.[1];
}
