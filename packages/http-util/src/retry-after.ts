export type HeaderBag = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value[0];
  return value;
}

const NUMERIC = /^\s*\d+(?:\.\d+)?\s*$/;

/**
 * How long the server asked us to wait, in ms: `retry-after-ms` (OpenAI/Azure style) wins over
 * `retry-after`, which may be delta-seconds or an HTTP date. Unparseable or negative values are
 * ignored (undefined) rather than guessed; a date in the past means "now" (0).
 * Header names must be lower-case (as undici and node:http deliver them).
 */
export function parseRetryAfter(headers: HeaderBag, now: number = Date.now()): number | undefined {
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && NUMERIC.test(ms)) return Math.ceil(Number(ms));
  const value = first(headers['retry-after']);
  if (value === undefined) return undefined;
  if (NUMERIC.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date always has a weekday/month name; this keeps Date.parse from reading '-5' as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
