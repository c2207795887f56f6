import { describe, expect, it } from 'vitest';
import { redactSecret } from './redact.js';
import { RequestPrep, type RequestPrepInit } from './request-prep.js';

const KEY = 'sk-prep-0123456789abcdef';

function prep(extra: Partial<RequestPrepInit> = {}): RequestPrep {
  return new RequestPrep({
    origin: 'http://upstream.test',
    basePath: '/base',
    apiKey: undefined,
    headers: undefined,
    extraBody: undefined,
    ...extra,
  });
}

describe('RequestPrep', () => {
  it('[HTTP-AUTH-1] a fixed key is prepared synchronously, trimmed, and redacted in the copy hooks see', () => {
    const p = prep({ apiKey: `  ${KEY} `, headers: { 'X-Extra': 'x' } });
    const a = p.tryPrepare('POST', 'generate', { a: 1 }, 'text/event-stream', undefined);
    expect(a).toBeDefined();
    expect(a?.path).toBe('/base/generate');
    expect(a?.body).toBe('{"a":1}');
    expect(a?.headers).toEqual({
      accept: 'text/event-stream',
      'content-type': 'application/json',
      authorization: `Bearer ${KEY}`,
      'x-extra': 'x',
    });
    expect(a?.redacted.url).toBe('http://upstream.test/base/generate');
    expect(a?.redacted.headers.authorization).toBe(`Bearer ${redactSecret(KEY)}`);
    expect(JSON.stringify(a?.redacted)).not.toContain(KEY);
  });

  it('[HTTP-HOOK-1] every request gets its own redacted copy, so a hook changing one cannot leak into the next', () => {
    const p = prep({ apiKey: KEY });
    const a = p.tryPrepare('POST', '/x', { n: 1 }, 'application/json', undefined);
    a!.redacted.headers.accept = 'changed by a hook';
    const b = p.tryPrepare('POST', '/x', { n: 2 }, 'application/json', undefined);
    expect(b?.redacted).not.toBe(a?.redacted);
    expect(b?.redacted.headers.accept).toBe('application/json');
    expect(b?.body).toBe('{"n":2}');
  });

  it('[HTTP-AUTH-1] GET and POST to one path keep their own headers (no body, no content-type)', () => {
    const p = prep();
    expect(p.tryPrepare('POST', '/x', {}, 'application/json', undefined)?.headers['content-type']).toBe(
      'application/json',
    );
    const get = p.tryPrepare('GET', '/x', undefined, 'application/json', undefined);
    expect(get?.headers['content-type']).toBeUndefined();
    expect(get?.body).toBeUndefined();
  });

  it('[HTTP-AUTH-1] a key function and per-call headers take the per-request path, asked on every call', async () => {
    let calls = 0;
    const p = prep({ apiKey: () => `key-${++calls}-rotated` });
    expect(p.tryPrepare('POST', '/x', {}, 'application/json', undefined)).toBeUndefined();
    const first = await p.prepare('POST', '/x', {}, 'application/json', undefined);
    const second = await p.prepare('POST', '/x', {}, 'application/json', undefined);
    expect(first.headers.authorization).toBe('Bearer key-1-rotated');
    expect(second.headers.authorization).toBe('Bearer key-2-rotated');
    expect(prep().tryPrepare('POST', '/x', {}, 'application/json', { 'x-call': '1' })).toBeUndefined();
  });
});
