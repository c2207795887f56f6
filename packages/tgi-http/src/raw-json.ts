/**
 * Serialises `obj` with one extra field whose value is already JSON text, written verbatim (unless
 * `obj` has that key: then `obj` wins). TGI's seed is a u64 and JSON numbers above 2^53 lose
 * precision in JSON.stringify/parse (Node 20 has no JSON.rawJSON), so the seed's decimal digits are
 * spliced into the text instead of going through a JS number.
 */
export function stringifyWithRawField(obj: object, key: string, rawJson: string | undefined): string {
  const json = JSON.stringify(obj);
  if (rawJson === undefined || Object.hasOwn(obj, key)) return json;
  const field = `${JSON.stringify(key)}:${rawJson}`;
  return json === '{}' ? `{${field}}` : `{${field},${json.slice(1)}`;
}

/** A u64 seed as JSON text, checked to be digits only so nothing else can be spliced in. */
export function rawSeed(seed: string | undefined): string | undefined {
  if (seed === undefined) return undefined;
  if (!/^\d{1,20}$/.test(seed)) throw new TypeError('seed must be a decimal integer string');
  return seed;
}
