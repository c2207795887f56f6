import { describe, expect, it } from 'vitest';
import { serializeJsonBody } from './json-body.js';

describe('serializeJsonBody', () => {
  it('[HTTP-AUTH-1] adds extra fields the body lacks; the body wins on conflicts', () => {
    expect(JSON.parse(serializeJsonBody({ a: 1, b: { c: 2 } }, { b: 3, d: 4 }))).toEqual({
      a: 1,
      b: { c: 2 },
      d: 4,
    });
  });

  it('[HTTP-AUTH-1] string bodies are sent verbatim, extra fields spliced in without re-serialising', () => {
    expect(serializeJsonBody('{"x":1}')).toBe('{"x":1}');
    const big = '{"inputs":"hi","parameters":{"seed":18446744073709551615}}';
    expect(serializeJsonBody(big, { inputs: 'ignored', provider: 'p' })).toBe(
      '{"provider":"p","inputs":"hi","parameters":{"seed":18446744073709551615}}',
    );
    expect(serializeJsonBody(' {} ', { a: 1 })).toBe('{"a":1}');
    expect(serializeJsonBody('{"a":2}', { a: 1 })).toBe('{"a":2}');
    expect(serializeJsonBody('[1]', { a: 1 })).toBe('[1]');
    expect(() => serializeJsonBody('{bad', { a: 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it('writes bigint as an exact JSON integer (u64 seed)', () => {
    const text = serializeJsonBody({ parameters: { seed: 18446744073709551615n }, note: 'orch-bigint:1' });
    expect(text).toBe('{"parameters":{"seed":18446744073709551615},"note":"orch-bigint:1"}');
  });

  it('a cyclic body is an INVALID_REQUEST naming body', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => serializeJsonBody(cyclic)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', field: 'body' }),
    );
  });
});
