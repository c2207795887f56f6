import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTgi } from './fake-tgi.js';
import { headerOf, rawRequest, sseData } from './raw-http.js';
import type { FakeTgi } from './types.js';

let tgi: FakeTgi;
beforeAll(async () => {
  tgi = await startFakeTgi();
});
afterAll(() => tgi.close());
beforeEach(() => tgi.reset());

const genBody = { inputs: 'hi', parameters: { max_new_tokens: 6 } };
const gen = (path = '/generate_stream', body: unknown = genBody) => rawRequest(tgi.url + path, { body });

/** Opens a stream with fetch and reads until `events` SSE events (or the stall) have arrived. */
async function openStream(path: string, body: unknown, events: number) {
  const ac = new AbortController();
  const res = await fetch(tgi.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: ac.signal,
  });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while (text.split('\n\n').length - 1 < events) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  return { res, text, abort: () => ac.abort() };
}

describe('fault modes', () => {
  it('[FAKE-FAULT-1] stallBeforeHeaders holds the request until the client leaves; count-limited', async () => {
    await tgi.setFaults({ stallBeforeHeaders: { count: 1 } });
    const ac = new AbortController();
    const pending = fetch(`${tgi.url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(genBody),
      signal: ac.signal,
    }).catch((e: unknown) => e);
    const rec = await tgi.waitForRequest(1);
    expect(rec.status).toBeUndefined();
    ac.abort();
    await rec.onAborted;
    expect(rec.clientAborted).toBe(true);
    expect(await pending).toBeInstanceOf(Error);
    expect((await gen('/generate')).status).toBe(200);
  });

  it('[FAKE-FAULT-2] stallAfterTokens sends N tokens then nothing until the client leaves', async () => {
    await tgi.setFaults({ stallAfterTokens: 3 });
    const s = await openStream('/generate_stream', genBody, 3);
    expect(sseData(s.text)).toHaveLength(3);
    const rec = tgi.requests[0]!;
    expect(rec.tokensSent).toBe(3);
    expect(rec.endedAt).toBeUndefined();
    s.abort();
    await rec.onAborted;
    expect(rec.clientAborted).toBe(true);
    expect(rec.tokensSent).toBe(3);
  });

  it('[FAKE-FAULT-3] keep-alive comments during a stall when keepAliveMs is set', async () => {
    const ka = await startFakeTgi({ keepAliveMs: 5, faults: { stallAfterTokens: 1 } });
    try {
      const res = await fetch(`${ka.url}/generate_stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(genBody),
      });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes(':\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      expect(text.startsWith('data: {"index":1')).toBe(true);
      await reader.cancel();
    } finally {
      await ka.close();
    }
  });

  it('[FAKE-FAULT-4] cutAfterTokens drops the connection mid-body (not a client abort)', async () => {
    await tgi.setFaults({ cutAfterTokens: { after: 2, count: 1 } });
    const r = await gen();
    expect(r.status).toBe(200);
    expect(r.truncated).toBe(true);
    expect(sseData(r.body.toString())).toHaveLength(2);
    expect(tgi.requests[0]!.clientAborted).toBe(false);
    const ok = await gen();
    expect(ok.truncated).toBe(false);
    expect(sseData(ok.body.toString())).toHaveLength(6);
  });

  it('[FAKE-FAULT-5] cutAfterTokens on a non-stream route closes the socket without an answer', async () => {
    await tgi.setFaults({ cutAfterTokens: 0 });
    await expect(gen('/generate')).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it('[FAKE-FAULT-6] overloaded429 with and without Retry-After, for count requests', async () => {
    await tgi.setFaults({ overloaded429: { retryAfter: '2', count: 2 } });
    const a = await gen('/generate');
    const b = await gen('/generate_stream');
    const c = await gen('/generate');
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.body.toString()).toBe('{"error":"Model is overloaded","error_type":"overloaded"}');
    expect(headerOf(a, 'retry-after')).toBe('2');
    await tgi.setFaults({ overloaded429: true });
    const d = await gen('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] });
    expect(d.status).toBe(429);
    expect(headerOf(d, 'retry-after')).toBeUndefined();
    await tgi.setFaults({ overloaded429: { retryAfterMs: '150', count: 1 } });
    const e = await gen('/generate');
    expect(headerOf(e, 'retry-after-ms')).toBe('150');
    expect(headerOf(e, 'retry-after')).toBeUndefined();
  });

  it('[FAKE-FAULT-7] overloaded429 inStream answers streams the way TGI does', async () => {
    await tgi.setFaults({ overloaded429: { inStream: true } });
    const r = await gen();
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('data: {"error":"Model is overloaded","error_type":"overloaded"}\n\n');
    const chat = await gen('/v1/chat/completions', {
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    expect(chat.body.toString()).toBe(
      'data: {"error":{"message":"Model is overloaded","http_status_code":422}}\n\ndata: [DONE]\n\n',
    );
  });

  it('[FAKE-FAULT-8] status5xx burst: 424 generation, 500, 502, 503, then healthy', async () => {
    const seen: [number, string][] = [];
    for (const status of [424, 500, 502, 503] as const) {
      await tgi.setFaults({ status5xx: { status, count: 1 } });
      const r = await gen('/generate');
      seen.push([r.status, r.body.toString()]);
    }
    expect(seen).toEqual([
      [
        424,
        '{"error":"Request failed during generation: Server error: CUDA out of memory","error_type":"generation"}',
      ],
      [500, '{"error":"Incomplete generation","error_type":"incomplete_generation"}'],
      [502, 'Bad Gateway'],
      [503, '{"error":"unhealthy","error_type":"healthcheck"}'],
    ]);
    expect((await gen('/generate')).status).toBe(200);
  });

  it('[FAKE-FAULT-9] malformedAfterTokens sends `data: {not json` after N tokens', async () => {
    await tgi.setFaults({ malformedAfterTokens: 1 });
    const r = await gen();
    expect(sseData(r.body.toString())).toEqual([
      '{"index":1,"token":{"id":1000,"text":" tok0","logprob":-0.1,"special":false},"generated_text":null,"details":null}',
      '{not json',
    ]);
  });

  it('[FAKE-FAULT-10] hugeLineAfterTokens sends one enormous line with no newline', async () => {
    await tgi.setFaults({ hugeLineAfterTokens: { after: 1, bytes: 1_000_000 } });
    const r = await gen();
    const text = r.body.toString();
    const cut = text.indexOf('\n\n') + 2;
    expect(text.length - cut).toBe(1_000_000);
    expect(text.slice(cut)).not.toContain('\n');
    expect(text.slice(cut).startsWith('data: {')).toBe(true);
  });

  it('[FAKE-FAULT-11] slowDripMs writes each event separately, stream intact', async () => {
    await tgi.setFaults({ slowDripMs: 10 });
    const chunks: number[] = [];
    const res = await fetch(`${tgi.url}/generate_stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: 'a', parameters: { max_new_tokens: 4 } }),
    });
    let text = '';
    for await (const c of res.body!) {
      chunks.push(c.length);
      text += Buffer.from(c).toString();
    }
    expect(sseData(text)).toHaveLength(4);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    const rec = tgi.requests[0]!;
    expect(rec.endedAt! - rec.startedAt).toBeGreaterThanOrEqual(30);
  });

  it('[FAKE-FAULT-12] firstTokenDelayMs: headers first, tokens later', async () => {
    await tgi.setFaults({ firstTokenDelayMs: 200 });
    const s = await openStream('/generate_stream', genBody, 0);
    expect(s.res.status).toBe(200);
    expect(tgi.requests[0]!.tokensSent).toBe(0);
    s.abort();
    await tgi.requests[0]!.onAborted;
  });

  it('[FAKE-FAULT-13] inStreamErrorAfterTokens on generate, chat, and non-stream routes', async () => {
    await tgi.setFaults({ inStreamErrorAfterTokens: { after: 2, errorType: 'generation', count: 3 } });
    const g = sseData((await gen()).body.toString());
    expect(g).toHaveLength(3);
    expect(g[2]).toBe(
      '{"error":"Request failed during generation: Server error: CUDA out of memory","error_type":"generation"}',
    );
    const c = sseData(
      (
        await gen('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }], stream: true })
      ).body.toString(),
    );
    expect(c.slice(2)).toEqual([
      '{"error":{"message":"Request failed during generation: Server error: CUDA out of memory","http_status_code":422}}',
      '[DONE]',
    ]);
    const n = await gen('/generate');
    expect(n.status).toBe(424);
    await tgi.setFaults({
      inStreamErrorAfterTokens: { after: 0, errorType: 'incomplete_generation_stream' },
    });
    expect((await gen()).body.toString()).toBe(
      'data: {"error":"Incomplete generation stream","error_type":"incomplete_generation_stream"}\n\n',
    );
  });

  it('[FAKE-FAULT-14] refuseConnections closes the listener until cleared', async () => {
    await tgi.setFaults({ refuseConnections: true });
    await expect(fetch(`${tgi.url}/health`)).rejects.toThrow();
    await tgi.setFaults({ refuseConnections: undefined });
    expect((await fetch(`${tgi.url}/health`)).status).toBe(200);
  });

  it('[FAKE-FAULT-15] stallAfterTokens on a non-stream route never answers', async () => {
    await tgi.setFaults({ stallAfterTokens: 1 });
    const ac = new AbortController();
    const pending = fetch(`${tgi.url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(genBody),
      signal: ac.signal,
    }).catch((e: unknown) => e);
    const rec = await tgi.waitForRequest();
    ac.abort();
    await rec.onAborted;
    expect(await pending).toBeInstanceOf(Error);
    expect(rec.status).toBeUndefined();
  });
});

describe('recording', () => {
  it('[FAKE-REC-1] records method, path, headers, parsed body; waitForRequest resolves later ones', async () => {
    const later = tgi.waitForRequest(2);
    await gen('/generate');
    await rawRequest(`${tgi.url}/info?x=1`);
    const second = await later;
    expect(second.path).toBe('/info?x=1');
    const first = tgi.requests[0]!;
    expect(first).toMatchObject({ method: 'POST', path: '/generate', body: genBody, clientAborted: false });
    expect(first.headers['content-type']).toBe('application/json');
    await first.onEnded;
    expect(first.endedAt).toBeGreaterThanOrEqual(first.startedAt);
    expect(first.status).toBe(200);
  });

  it('[FAKE-REC-2] reset clears requests and restores the start faults with fresh counts', async () => {
    const s = await startFakeTgi({ faults: { overloaded429: { count: 1 } } });
    try {
      const call = () => rawRequest(`${s.url}/generate`, { body: genBody });
      expect((await call()).status).toBe(429);
      expect((await call()).status).toBe(200);
      await s.reset();
      expect(s.requests).toHaveLength(0);
      expect((await call()).status).toBe(429);
      expect(s.faults.overloaded429).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});
