import { OrchError } from '@orch/adapter-api';

const BIGINT_MARK = '\u0000orch-bigint:';
const BIGINT_QUOTED = /"\\u0000orch-bigint:(-?\d+)"/g;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function invalid(message: string, cause?: unknown): OrchError {
  return new OrchError('INVALID_REQUEST', message, { retriable: false, field: 'body', cause });
}

/** JSON.stringify that writes `bigint` as exact JSON integers (e.g. a u64 seed) instead of throwing. */
function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError) || !String(err.message).includes('BigInt')) {
      throw invalid(`The request body is not serialisable: ${String(err)}`, err);
    }
  }
  // Slow path only when a bigint is present.
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${BIGINT_MARK}${v}` : v,
  );
  return text.replace(BIGINT_QUOTED, '$1');
}

/** Adds the `extra` fields a ready-made JSON object text lacks, without re-serialising (and so re-rounding) it. */
function spliceExtra(text: string, extra: Record<string, unknown>): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid('The request body string is not valid JSON', err);
  }
  // Extra fields only apply to a JSON object body.
  if (!isPlainObject(parsed)) return text;
  const missing: Record<string, unknown> = {};
  let any = false;
  for (const [key, value] of Object.entries(extra)) {
    if (Object.hasOwn(parsed, key)) continue;
    missing[key] = value;
    any = true;
  }
  if (!any) return text;
  const head = stringify(missing);
  const body = text.trim();
  if (Object.keys(parsed).length === 0) return head;
  return `${head.slice(0, -1)},${body.slice(1)}`;
}

/**
 * Serialises a request body. A string is ready-made JSON text, sent as is. `extra` fields are added to
 * object bodies (objects or JSON object text) where the body does not set them: what the adapter
 * computed always wins. `bigint` values become exact JSON integers.
 */
export function serializeJsonBody(body: unknown, extra?: Record<string, unknown>): string {
  const hasExtra = extra !== undefined && Object.keys(extra).length > 0;
  if (typeof body === 'string') return hasExtra ? spliceExtra(body, extra) : body;
  return stringify(hasExtra && isPlainObject(body) ? { ...extra, ...body } : body);
}
