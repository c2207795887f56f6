import type { IncomingHttpHeaders } from 'node:http';

/** undici's header bag flattened to single strings (repeated headers joined the HTTP way). */
export function flattenHeaders(
  headers: IncomingHttpHeaders | Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  // for-in rather than Object.entries: no pair arrays per header on every response.
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value: unknown = (headers as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

const REQUEST_ID_HEADERS = ['x-request-id', 'x-correlation-id', 'request-id', 'x-amzn-requestid'];

export function findRequestId(headers: Record<string, string>): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers[name];
    if (value) return value;
  }
  return undefined;
}

/** Lower-cases names so later layers override earlier ones instead of sending duplicates. */
export function mergeHeaders(...layers: Array<Record<string, string> | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [name, value] of Object.entries(layer)) out[name.toLowerCase()] = value;
  }
  return out;
}
