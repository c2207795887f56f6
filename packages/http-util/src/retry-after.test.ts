import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T03:00:00Z');

  it('[HTTP-RETRY-2] reads delta-seconds, fractional too', () => {
    expect(parseRetryAfter({ 'retry-after': '3' }, now)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after': ' 1.5 ' }, now)).toBe(1500);
    expect(parseRetryAfter({ 'retry-after': '0' }, now)).toBe(0);
  });

  it('[HTTP-RETRY-2] reads an HTTP date relative to now, past dates as 0', () => {
    expect(parseRetryAfter({ 'retry-after': 'Sun, 22 Nov 2026 03:00:07 GMT' }, now)).toBe(7000);
    expect(parseRetryAfter({ 'retry-after': 'Sun, 22 Nov 2026 02:59:00 GMT' }, now)).toBe(0);
  });

  it('[HTTP-RETRY-2] retry-after-ms wins over retry-after', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(parseRetryAfter({ 'retry-after-ms': '12.2' }, now)).toBe(13);
  });

  it('ignores garbage, negatives and absence', () => {
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': '-5' }, now)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after-ms': 'x', 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': ['4', '5'] }, now)).toBe(4000);
  });
});
