/**
 * TGI seeds are u64 and often exceed 2^53, so JSON.parse would round them. This finds the digits of a
 * `"seed": <n>` key in the raw body text whose value matches the parsed (rounded) number.
 */
export function rawSeedDigits(rawBody: string, parsed: unknown): string | undefined {
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) return undefined;
  const re = /(?<!\\)"seed"\s*:\s*(\d+)(?![\d.eE])/g;
  let found: string | undefined;
  for (const m of rawBody.matchAll(re)) {
    if (Number(m[1]) === parsed) found = m[1];
  }
  return found ?? (Number.isInteger(parsed) ? BigInt(parsed).toString() : undefined);
}
