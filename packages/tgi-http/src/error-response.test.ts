import { describe, expect, it } from 'vitest';
import { mapTgiErrorResponse } from './error-response.js';

const json = { 'content-type': 'application/json' };
const text = { 'content-type': 'text/plain; charset=utf-8' };

describe('HTTP error mapping', () => {
  it('[TGI-ERR-1] JSON {error, error_type} bodies map by error_type', () => {
    const e = mapTgiErrorResponse({
      status: 422,
      headers: json,
      bodyText: '{"error":"Template error: template not found","error_type":"template_error"}',
    });
    expect([e.code, e.retriable, e.status, e.upstreamType]).toEqual([
      'INVALID_REQUEST',
      false,
      422,
      'template_error',
    ]);
    expect(e.message).toBe('Template error: template not found');
  });

  it('[TGI-ERR-3] plain-text 400/413/415/422 bodies are INVALID_REQUEST carrying the text', () => {
    const bodies: Array<[number, string]> = [
      [400, 'Failed to parse the request body as JSON: key must be a string at line 1 column 2'],
      [413, 'Failed to buffer the request body: length limit exceeded'],
      [415, 'Expected request with `Content-Type: application/json`'],
      [
        422,
        'Failed to deserialize the JSON body into the target type: parameters.stop: invalid type: string "x", expected a sequence at line 1 column 40',
      ],
    ];
    for (const [status, bodyText] of bodies) {
      const e = mapTgiErrorResponse({ status, headers: text, bodyText });
      expect([e.code, e.retriable, e.status], bodyText).toEqual(['INVALID_REQUEST', false, status]);
      expect(e.message).toBe(bodyText);
    }
  });

  it('[TGI-ERR-4] 401/403 are UNAUTHORIZED, 404/405 NOT_FOUND, with empty bodies', () => {
    expect(mapTgiErrorResponse({ status: 401, headers: {}, bodyText: '' }).code).toBe('UNAUTHORIZED');
    expect(mapTgiErrorResponse({ status: 403, headers: {}, bodyText: '' }).code).toBe('UNAUTHORIZED');
    expect(mapTgiErrorResponse({ status: 401, headers: {}, bodyText: '' }).retriable).toBe(false);
    expect(mapTgiErrorResponse({ status: 404, headers: {}, bodyText: '' }).code).toBe('NOT_FOUND');
    expect(mapTgiErrorResponse({ status: 405, headers: {}, bodyText: '' }).code).toBe('NOT_FOUND');
  });

  it('[TGI-ERR-5] 424 generation errors are UPSTREAM_ERROR', () => {
    const e = mapTgiErrorResponse({
      status: 424,
      headers: json,
      bodyText:
        '{"error":"Request failed during generation: Server error: CUDA out of memory","error_type":"generation"}',
    });
    expect([e.code, e.retriable, e.status]).toEqual(['UPSTREAM_ERROR', true, 424]);
  });

  it('[TGI-ERR-6] 429 overloaded is OVERLOADED, retriable, honouring Retry-After when present', () => {
    const body = '{"error":"Model is overloaded","error_type":"overloaded"}';
    const plain = mapTgiErrorResponse({ status: 429, headers: json, bodyText: body });
    expect([plain.code, plain.retriable, plain.retryAfterMs]).toEqual(['OVERLOADED', true, undefined]);
    const withHeader = mapTgiErrorResponse({
      status: 429,
      headers: { ...json, 'retry-after': '2' },
      bodyText: body,
    });
    expect(withHeader.retryAfterMs).toBe(2000);
    const empty = mapTgiErrorResponse({ status: 429, headers: { 'retry-after-ms': '150' }, bodyText: '' });
    expect([empty.code, empty.retryAfterMs]).toEqual(['OVERLOADED', 150]);
  });

  it('[TGI-ERR-7] 503 unhealthy is a retriable UPSTREAM_ERROR', () => {
    const e = mapTgiErrorResponse({
      status: 503,
      headers: json,
      bodyText: '{"error":"unhealthy","error_type":"healthcheck"}',
    });
    expect([e.code, e.retriable, e.status, e.upstreamType]).toEqual([
      'UPSTREAM_ERROR',
      true,
      503,
      'healthcheck',
    ]);
    expect(mapTgiErrorResponse({ status: 502, headers: {}, bodyText: 'Bad Gateway' }).code).toBe(
      'UPSTREAM_ERROR',
    );
  });

  it('keeps huge bodies out of the message', () => {
    const e = mapTgiErrorResponse({ status: 422, headers: text, bodyText: 'x'.repeat(100_000) });
    expect(e.message.length).toBeLessThan(2100);
  });

  it('[TGI-STREAM-6] a 200 that is neither a stream nor a TGI error is PROTOCOL', () => {
    const e = mapTgiErrorResponse({
      status: 200,
      headers: { 'content-type': 'text/html' },
      bodyText: '<html>',
    });
    expect([e.code, e.retriable]).toEqual(['PROTOCOL', false]);
    // ...but an in-band TGI error with a 200 keeps its meaning.
    const o = mapTgiErrorResponse({
      status: 200,
      headers: json,
      bodyText: '{"error":"Model is overloaded","error_type":"overloaded"}',
    });
    expect([o.code, o.status]).toEqual(['OVERLOADED', 429]);
  });
});
