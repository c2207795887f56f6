import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { DaemonResponse, onResponseClose, type ResponseOwner, ResponseState } from './daemon-response.js';

/** A node:http server whose responses are DaemonResponses wired the way DaemonServer wires them. */
async function serve(handler: (res: DaemonResponse) => void) {
  const seen: Array<{ res: DaemonResponse; state: ResponseState }> = [];
  const owner: ResponseOwner = {
    stampOverhead: (res) => res.setHeader('x-stamped', '1'),
    closed: (res, state) => seen.push({ res, state }),
  };
  const server = createServer({ ServerResponse: DaemonResponse }, (_req, res) => {
    res.orch = new ResponseState(owner, performance.now(), 'cid', 'GET');
    res.on('close', onResponseClose);
    handler(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('DaemonResponse', () => {
  it('[ORCHD-HTTP-2] regression: no closure hung on each response (they kept request graphs alive through young-generation GCs)', async () => {
    let ownWriteHead = true;
    const s = await serve((res) => {
      res.end('{}');
      ownWriteHead = Object.hasOwn(res, 'writeHead');
    });
    try {
      const r = await request(s.url);
      expect(r.headers['x-stamped']).toBe('1');
      await r.body.text();
      // writeHead comes from the prototype and the close hook is the one shared function.
      expect(ownWriteHead).toBe(false);
      expect(s.seen).toHaveLength(1);
      expect(s.seen[0]!.res.listeners('close')).toContain(onResponseClose);
    } finally {
      await s.close();
    }
  });

  it('[ORCHD-CANCEL-1] the client-gone signal aborts even when first asked for after the client left', () => {
    const owner: ResponseOwner = { stampOverhead: () => {}, closed: () => {} };
    const early = new ResponseState(owner, 0, 'a', 'POST');
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    early.clientGone();
    expect(signal.aborted).toBe(true);
    expect((signal.reason as { code?: string }).code).toBe('CANCELLED');

    const late = new ResponseState(owner, 0, 'b', 'POST');
    late.clientGone();
    expect(late.clientLeft).toBe(true);
    expect(late.signal.aborted).toBe(true);
  });
});
