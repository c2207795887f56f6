import { describe, expect, it } from 'vitest';
import { loadApiKey } from './load-api-key.js';

describe('loadApiKey', () => {
  it('[HTTP-AUTH-1] takes a string or a (sync/async) function; blank means no key', async () => {
    expect(await loadApiKey(undefined)).toBeUndefined();
    expect(await loadApiKey(' k1 ')).toBe('k1');
    expect(await loadApiKey(() => 'k2')).toBe('k2');
    expect(await loadApiKey(async () => 'k3')).toBe('k3');
    expect(await loadApiKey(() => '  ')).toBeUndefined();
  });

  it('a failing or ill-typed source is a typed error that does not quote the source', async () => {
    const failing = () => {
      throw new Error('secret-value-in-message');
    };
    const err = await loadApiKey(failing).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', field: 'apiKey' });
    expect(String((err as Error).message)).not.toContain('secret-value');
    await expect(loadApiKey((() => 42) as unknown as () => string)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'apiKey',
    });
  });
});
