import { createHash } from 'node:crypto';

/** `****` + the first 6 hex chars of the secret's SHA-256: stable enough to tell keys apart, useless to an attacker. */
export function redactSecret(secret: string): string {
  return `****${createHash('sha256').update(secret).digest('hex').slice(0, 6)}`;
}

const SENSITIVE = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-goog-api-key',
  'cookie',
  'set-cookie',
]);

const AUTH_SCHEME = /^(Bearer|Basic|Token|Key)\s+(.+)$/i;

function maskValue(value: string): string {
  const scheme = AUTH_SCHEME.exec(value);
  // Keep the scheme so a reader can still tell Bearer from Basic.
  if (scheme) return `${scheme[1]} ${redactSecret(scheme[2]!)}`;
  return redactSecret(value);
}

/** Replaces every occurrence of each (non-trivial) secret inside `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short "secrets" would mask random substrings and hide real information.
    if (secret.length < 4) continue;
    if (out.includes(secret)) out = out.split(secret).join(redactSecret(secret));
  }
  return out;
}

/**
 * A copy of `headers` safe for hooks and logs: well-known credential headers are masked whole and
 * any value containing one of `secrets` has it masked. Names are lower-cased.
 */
export function redactHeaders(
  headers: Record<string, string>,
  secrets: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    out[key] = SENSITIVE.has(key) ? maskValue(value) : redactText(value, secrets);
  }
  return out;
}

/** Masks credentials in a URL's userinfo and any listed secret appearing in it (e.g. `?api_key=`). */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  let out = url;
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      parsed.password = redactSecret(decodeURIComponent(parsed.password));
      out = parsed.toString();
    }
  } catch {
    // Not an absolute URL: nothing structural to mask.
  }
  return redactText(out, secrets);
}
