import { OrchError } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { mapTransportError } from './transport-error.js';

const request = { method: 'POST', url: 'http://x/y', headers: {} };
const err = (code: string) => Object.assign(new Error(code), { code });

describe('mapTransportError', () => {
  it('[HTTP-TIMEOUT-1] maps undici timeouts to TIMEOUT with the phase', () => {
    expect(mapTransportError(err('UND_ERR_CONNECT_TIMEOUT'), { request, phase: 'request' })).toMatchObject({
      code: 'TIMEOUT',
      timeoutPhase: 'connect',
      retriable: true,
    });
    expect(
      mapTransportError(err('UND_ERR_HEADERS_TIMEOUT'), { request, phase: 'request' }).timeoutPhase,
    ).toBe('headers');
    expect(mapTransportError(err('UND_ERR_BODY_TIMEOUT'), { request, phase: 'body' }).timeoutPhase).toBe(
      'idle',
    );
  });

  it('[HTTP-NET-1] socket-level failures are NETWORK and retriable; bad HTTP is PROTOCOL', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'ENOTFOUND']) {
      expect(mapTransportError(err(code), { request, phase: 'request' })).toMatchObject({
        code: 'NETWORK',
        retriable: true,
        request,
      });
    }
    expect(mapTransportError(err('HPE_INVALID_CHUNK_SIZE'), { request, phase: 'body' })).toMatchObject({
      code: 'PROTOCOL',
      retriable: false,
    });
    expect(mapTransportError(err('UND_ERR_INVALID_ARG'), { request, phase: 'request' }).code).toBe(
      'INTERNAL',
    );
  });

  it('an aborted caller signal wins: CANCELLED, or the OrchError it was aborted with', () => {
    const ac = new AbortController();
    ac.abort();
    expect(
      mapTransportError(err('UND_ERR_ABORTED'), { request, signal: ac.signal, phase: 'body' }).code,
    ).toBe('CANCELLED');
    const ac2 = new AbortController();
    const reason = new OrchError('TIMEOUT', 'idle', { timeoutPhase: 'idle' });
    ac2.abort(reason);
    expect(mapTransportError(err('UND_ERR_ABORTED'), { request, signal: ac2.signal, phase: 'body' })).toBe(
      reason,
    );
  });
});
