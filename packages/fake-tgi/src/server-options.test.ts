import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startFakeTgi } from './fake-tgi.js';
import { rawRequest } from './raw-http.js';

const body = { inputs: 'a', parameters: { max_new_tokens: 2 } };

function postOn(agent: Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/generate`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json' },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => resolve(req.socket?.localPort ?? -1));
    });
    req.end(JSON.stringify(body));
  });
}

describe('server options', () => {
  it('[FAKE-OPT-1] keeps HTTP/1.1 connections alive without sending a Connection header', async () => {
    const tgi = await startFakeTgi();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await postOn(agent, tgi.url);
      const second = await postOn(agent, tgi.url);
      expect(second).toBe(first);
      const r = await rawRequest(`${tgi.url}/generate`, { body });
      expect(r.rawHeaders.map(([k]) => k.toLowerCase())).not.toContain('connection');
    } finally {
      agent.destroy();
      await tgi.close();
    }
  });

  it('[FAKE-OPT-2] maxConcurrentRequests refuses extra requests like TGI (429, or in-stream)', async () => {
    const tgi = await startFakeTgi({
      maxConcurrentRequests: 1,
      faults: { stallAfterTokens: { after: 1, count: 1 } },
    });
    try {
      const ac = new AbortController();
      const res = await fetch(`${tgi.url}/generate_stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: ac.signal,
      });
      await res.body!.getReader().read();
      const stream = await rawRequest(`${tgi.url}/generate_stream`, { body });
      expect(stream.status).toBe(200);
      expect(stream.body.toString()).toBe(
        'data: {"error":"Model is overloaded","error_type":"overloaded"}\n\n',
      );
      const plain = await rawRequest(`${tgi.url}/generate`, { body });
      expect(plain.status).toBe(429);
      const info = JSON.parse((await rawRequest(`${tgi.url}/info`)).body.toString()) as Record<
        string,
        unknown
      >;
      expect(info.max_concurrent_requests).toBe(1);
      ac.abort();
      await tgi.requests[0]!.onAborted;
      expect((await rawRequest(`${tgi.url}/generate`, { body })).status).toBe(200);
    } finally {
      await tgi.close();
    }
  });

  const distIndex = new URL('../dist/index.js', import.meta.url);
  it.skipIf(!existsSync(distIndex))(
    '[FAKE-OPT-3] spawnFakeTgi runs the server in a child process (built dist)',
    async () => {
      const mod = (await import(distIndex.href)) as typeof import('./index.js');
      const child = await mod.spawnFakeTgi({ modelId: 'child/model' });
      try {
        expect(child.pid).not.toBe(process.pid);
        const info = JSON.parse((await rawRequest(`${child.url}/info`)).body.toString()) as {
          model_id: string;
        };
        expect(info.model_id).toBe('child/model');
      } finally {
        await child.close();
      }
    },
  );
});
