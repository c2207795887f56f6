/**
 * Type checks that mimic serde's deserialisation errors, which axum returns as plain-text 422s:
 * `Failed to deserialize the JSON body into the target type: <path>: <msg> at line L column C`.
 */
export class DeserializeError extends Error {}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `boolean \`${v}\``;
  if (typeof v === 'number') return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  if (Array.isArray(v)) return 'sequence';
  return 'map';
}

export function deserializeText(err: DeserializeError, raw: string): string {
  const lines = raw.split('\n');
  const line = lines.length;
  const column = (lines[lines.length - 1] ?? '').length;
  return `Failed to deserialize the JSON body into the target type: ${err.message} at line ${line} column ${column}`;
}

function fail(path: string, msg: string): never {
  throw new DeserializeError(path ? `${path}: ${msg}` : msg);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function expectObject(v: unknown, path: string, what: string): Record<string, unknown> {
  if (!isObject(v)) fail(path, `invalid type: ${describeValue(v)}, expected ${what}`);
  return v;
}

export function requireField(obj: Record<string, unknown>, key: string, path: string): unknown {
  if (!(key in obj)) fail(path, `missing field \`${key}\``);
  return obj[key];
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, `invalid type: ${describeValue(v)}, expected a string`);
  return v;
}

export function optStr(v: unknown, path: string): string | null {
  return v === undefined || v === null ? null : str(v, path);
}

export function bool(v: unknown, path: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(path, `invalid type: ${describeValue(v)}, expected a boolean`);
  return v;
}

export function optBool(v: unknown, path: string): boolean | null {
  return v === undefined || v === null ? null : bool(v, path, false);
}

export function optFloat(v: unknown, path: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') fail(path, `invalid type: ${describeValue(v)}, expected f32`);
  return v;
}

/** Unsigned / signed integer fields (u32, u64, usize, i32). */
export function optInt(v: unknown, path: string, kind: 'u32' | 'u64' | 'usize' | 'i32'): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    fail(path, `invalid type: ${describeValue(v)}, expected ${kind === 'i32' ? 'i32' : kind}`);
  }
  if (kind !== 'i32' && v < 0) fail(path, `invalid value: integer \`${v}\`, expected ${kind}`);
  if (kind === 'u32' && v > 0xffffffff) fail(path, `invalid value: integer \`${v}\`, expected u32`);
  return v;
}

export function stringArray(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) fail(path, `invalid type: ${describeValue(v)}, expected a sequence`);
  return v.map((s, i) => str(s, `${path}[${i}]`));
}

export function failDeserialize(path: string, msg: string): never {
  fail(path, msg);
}
