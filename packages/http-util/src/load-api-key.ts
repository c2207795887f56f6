import { OrchError } from '@orch/adapter-api';

/** An API key, or a function that yields the current one (rotation, a secret store). Adapters never read env. */
export type ApiKeySource = string | (() => string | undefined | Promise<string | undefined>);

/** Resolves the key for one request; empty strings count as "no key". A failing source is UNAUTHORIZED. */
export async function loadApiKey(source: ApiKeySource | undefined): Promise<string | undefined> {
  if (source === undefined) return undefined;
  let key: unknown;
  try {
    key = typeof source === 'function' ? await source() : source;
  } catch (err) {
    // The source's own message could quote the secret; keep only its type.
    throw new OrchError('UNAUTHORIZED', 'apiKey: the key source failed', {
      field: 'apiKey',
      retriable: false,
      upstreamType: err instanceof Error ? err.name : typeof err,
    });
  }
  if (key === undefined) return undefined;
  if (typeof key !== 'string') {
    throw new OrchError('INVALID_REQUEST', 'apiKey: the key source must yield a string', {
      field: 'apiKey',
      retriable: false,
    });
  }
  const trimmed = key.trim();
  return trimmed === '' ? undefined : trimmed;
}
