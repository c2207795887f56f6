import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactHeaders, redactSecret, redactText, redactUrl } from './redact.js';

const KEY = 'hf_supersecretkey123';
const masked = `****${createHash('sha256').update(KEY).digest('hex').slice(0, 6)}`;

describe('redaction', () => {
  it('[HTTP-REDACT-1] redactSecret is **** + first 6 hex of sha256', () => {
    expect(redactSecret(KEY)).toBe(masked);
    expect(redactSecret(KEY)).toMatch(/^\*{4}[0-9a-f]{6}$/);
  });

  it('[HTTP-REDACT-1] masks credential headers (keeping the scheme) and secrets inside other values', () => {
    const out = redactHeaders(
      {
        Authorization: `Bearer ${KEY}`,
        'X-Api-Key': 'abcdef',
        Cookie: 'a=b',
        'x-trace': `k=${KEY}`,
        accept: '*/*',
      },
      [KEY],
    );
    expect(out.authorization).toBe(`Bearer ${masked}`);
    expect(out['x-api-key']).toBe(redactSecret('abcdef'));
    expect(out.cookie).toBe(redactSecret('a=b'));
    expect(out['x-trace']).toBe(`k=${masked}`);
    expect(out.accept).toBe('*/*');
    expect(JSON.stringify(out)).not.toContain(KEY);
  });

  it('masks secrets in text and URLs', () => {
    expect(redactText(`token ${KEY} and ${KEY}`, [KEY])).toBe(`token ${masked} and ${masked}`);
    expect(redactUrl(`http://h/x?api_key=${KEY}`, [KEY])).toBe(`http://h/x?api_key=${masked}`);
    expect(redactUrl('http://user:pw123@h/x')).not.toContain('pw123');
  });
});
