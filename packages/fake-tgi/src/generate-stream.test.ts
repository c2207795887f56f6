import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTgi } from './fake-tgi.js';
import { headerOf, rawRequest, sseData } from './raw-http.js';
import type { FakeTgi } from './types.js';

let tgi: FakeTgi;
beforeAll(async () => {
  tgi = await startFakeTgi();
});
afterAll(() => tgi.close());

const stream = (body: unknown, url = tgi.url) => rawRequest(`${url}/generate_stream`, { body });

describe('POST /generate_stream framing', () => {
  it('[FAKE-STREAM-1] exact bytes: data: <compact json>\\n\\n, EOS last, no [DONE]', async () => {
    const r = await stream({ inputs: 'Hi you', parameters: { max_new_tokens: 5, details: true } });
    const small = await startFakeTgi({ tokens: { tokens: [' a', 'b'] } });
    try {
      const exact = await stream({ inputs: 'Hi you', parameters: { details: true } }, small.url);
      expect(exact.body.toString()).toBe(
        'data: {"index":1,"token":{"id":1000,"text":" a","logprob":-0.1,"special":false},"generated_text":null,"details":null}\n\n' +
          'data: {"index":2,"token":{"id":1001,"text":"b","logprob":-0.2,"special":false},"generated_text":null,"details":null}\n\n' +
          'data: {"index":3,"token":{"id":2,"text":"</s>","logprob":null,"special":true},"generated_text":" ab","details":{"finish_reason":"eos_token","generated_tokens":3,"seed":null,"input_length":2}}\n\n',
      );
    } finally {
      await small.close();
    }
    expect(r.status).toBe(200);
    const events = sseData(r.body.toString());
    expect(events).toHaveLength(5);
    expect(events.at(-1)).toBe(
      '{"index":5,"token":{"id":1004,"text":" tok4","logprob":-0.5,"special":false},"generated_text":" tok0 tok1 tok2 tok3 tok4","details":{"finish_reason":"length","generated_tokens":5,"seed":null,"input_length":2}}',
    );
    expect(r.body.toString()).not.toContain('[DONE]');
  });

  it('[FAKE-STREAM-2] SSE headers, lower-case, no timing headers, chunked', async () => {
    const r = await stream({ inputs: 'abc', parameters: { max_new_tokens: 1 } });
    const names = r.rawHeaders.map(([k]) => k);
    expect(names).toEqual(names.map((n) => n.toLowerCase()));
    expect(headerOf(r, 'content-type')).toBe('text/event-stream');
    expect(headerOf(r, 'cache-control')).toBe('no-cache');
    expect(headerOf(r, 'x-accel-buffering')).toBe('no');
    expect(headerOf(r, 'x-compute-type')).toBe('gpu+optimized');
    expect(headerOf(r, 'x-compute-characters')).toBe('3');
    expect(headerOf(r, 'transfer-encoding')).toBe('chunked');
    expect(headerOf(r, 'x-generated-tokens')).toBeUndefined();
    expect(headerOf(r, 'x-compute-time')).toBeUndefined();
  });

  it('[FAKE-STREAM-3] details null on the last event unless asked; top_tokens key only with top_n_tokens', async () => {
    const plain = sseData((await stream({ inputs: 'a', parameters: { max_new_tokens: 2 } })).body.toString());
    expect(plain.at(-1)).toMatch(/"generated_text":" tok0 tok1","details":null}$/);
    expect(plain[0]).not.toContain('top_tokens');
    const top = sseData(
      (await stream({ inputs: 'a', parameters: { max_new_tokens: 2, top_n_tokens: 3 } })).body.toString(),
    );
    const ev = JSON.parse(top[0]!) as Record<string, unknown>;
    expect(Object.keys(ev)).toEqual(['index', 'token', 'top_tokens', 'generated_text', 'details']);
    expect(ev.top_tokens).toHaveLength(3);
  });

  it('[FAKE-STREAM-4] TGI <= 2.0 framing without the space after data:', async () => {
    const old = await startFakeTgi({ noSpaceAfterData: true });
    try {
      const r = await stream({ inputs: 'a', parameters: { max_new_tokens: 2 } }, old.url);
      expect(r.body.toString().startsWith('data:{"index":1,')).toBe(true);
      expect(r.body.toString()).not.toContain('data: ');
    } finally {
      await old.close();
    }
  });

  it('[FAKE-STREAM-5] return_full_text puts the prompt into the final generated_text', async () => {
    const r = await stream({ inputs: 'Q:', parameters: { max_new_tokens: 1, return_full_text: true } });
    expect(sseData(r.body.toString())[0]).toContain('"generated_text":"Q: tok0"');
  });

  it('[FAKE-STREAM-6] validation errors arrive in-stream with status 200', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ top_p: 1.0 }, '`top_p` must be > 0.0 and < 1.0'],
      [{ best_of: 2 }, '`best_of` != 1 is not supported when streaming tokens'],
      [
        { decoder_input_details: true },
        '`decoder_input_details` == true is not supported when streaming tokens',
      ],
    ];
    for (const [parameters, msg] of cases) {
      const r = await stream({ inputs: 'a', parameters });
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe(
        `data: {"error":"Input validation error: ${msg}","error_type":"validation"}\n\n`,
      );
    }
  });

  it('[FAKE-STREAM-7] custom eosText and scripted tokens', async () => {
    const s = await startFakeTgi({ eosText: '<|endoftext|>', tokens: { count: 2 } });
    try {
      const r = await stream({ inputs: 'a' }, s.url);
      const last = JSON.parse(sseData(r.body.toString()).at(-1)!) as { token: { text: string } };
      expect(last.token.text).toBe('<|endoftext|>');
    } finally {
      await s.close();
    }
  });

  it('[FAKE-STREAM-8] a 20,000-token stream completes with every index in order', async () => {
    const r = await stream({ inputs: 'long #tokens=20000', parameters: { details: true } });
    const events = sseData(r.body.toString());
    expect(events).toHaveLength(20_000);
    const last = JSON.parse(events.at(-1)!) as { index: number; details: { generated_tokens: number } };
    expect(last.index).toBe(20_000);
    expect(last.details.generated_tokens).toBe(20_000);
    const rec = tgi.requests.at(-1)!;
    expect(rec.tokensSent).toBe(20_000);
    expect(rec.clientAborted).toBe(false);
  });

  it('[FAKE-STREAM-9] stops generating when the client goes away and records the abort', async () => {
    await tgi.reset();
    const ac = new AbortController();
    const res = await fetch(`${tgi.url}/generate_stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: 'x #tokens=5000000' }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    const rec = await tgi.waitForRequest(1);
    await rec.onAborted;
    expect(rec.clientAborted).toBe(true);
    expect(rec.abortedAt).toBeGreaterThanOrEqual(rec.startedAt);
    await rec.onEnded;
    const sent = rec.tokensSent;
    expect(sent).toBeLessThan(5_000_000);
    // Nothing more is generated after the abort.
    await new Promise((r) => setImmediate(r));
    expect(rec.tokensSent).toBe(sent);
  });

  it('[FAKE-STREAM-10] identical requests replay byte-identical streams, still recorded per request', async () => {
    await tgi.reset();
    const body = { inputs: 'same #tokens=3000', parameters: { details: true } };
    const a = await stream(body);
    const b = await stream(body);
    expect(b.body.equals(a.body)).toBe(true);
    expect(sseData(b.body.toString())).toHaveLength(3000);
    expect(tgi.requests.map((r) => r.tokensSent)).toEqual([3000, 3000]);
    // A fault still applies to a request whose answer is cached.
    await tgi.setFaults({ cutAfterTokens: { after: 5, count: 1 } });
    const cut = await stream(body);
    expect(cut.truncated).toBe(true);
    expect(sseData(cut.body.toString())).toHaveLength(5);
  });
});
