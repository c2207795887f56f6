import { describe, expect, it } from 'vitest';
import { classifyStatus } from './classify-status.js';

describe('classifyStatus', () => {
  it('[HTTP-RETRY-3] 408/409/429/5xx are retriable', () => {
    for (const s of [408, 409, 429, 500, 502, 503, 504, 599]) expect(classifyStatus(s).retriable).toBe(true);
    expect(classifyStatus(429).code).toBe('RATE_LIMITED');
    expect(classifyStatus(503).code).toBe('OVERLOADED');
    expect(classifyStatus(500).code).toBe('UPSTREAM_ERROR');
    expect(classifyStatus(408).code).toBe('TIMEOUT');
  });

  it('[HTTP-RETRY-3] 400/401/403/404/422 are not', () => {
    for (const s of [400, 401, 403, 404, 422, 413, 418]) expect(classifyStatus(s).retriable).toBe(false);
    expect(classifyStatus(401).code).toBe('UNAUTHORIZED');
    expect(classifyStatus(403).code).toBe('UNAUTHORIZED');
    expect(classifyStatus(404).code).toBe('NOT_FOUND');
    expect(classifyStatus(422).code).toBe('INVALID_REQUEST');
  });
});
