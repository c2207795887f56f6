import { afterEach, describe, expect, it } from 'vitest';
import { collect, GENERATE_FRAMES, JSON_CT, onPost, setup, sse, teardown } from './__fixtures__/mock-tgi.js';
import { TgiHttpAdapter } from './tgi-http-adapter.js';

afterEach(teardown);

describe('TgiHttpAdapter over MockAgent: /generate_stream', () => {
  it('[TGI-ROUTE-1][TGI-STREAM-2][TGI-STREAM-3][TGI-PROPS-2] streams a prompt through /generate_stream', async () => {
    const s = setup();
    onPost(s, '/generate_stream', 200, sse(GENERATE_FRAMES));
    const events = await collect(s.adapter.submit({ job_id: 'j1', prompt: 'Say hi', max_tokens: 8 }));
    expect(events.map((e) => e.type)).toEqual(['started', 'token', 'token', 'token', 'end']);
    expect(events[0]).toMatchObject({
      type: 'started',
      engine: 'tgi',
      engine_version: '3.3.6-dev0',
      model: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
    });
    expect(events[3]).toEqual({
      type: 'token',
      job_id: 'j1',
      index: 2,
      text: '</s>',
      token_id: 2,
      logprob: null,
      special: true,
    });
    const end = events[4];
    expect(end?.type === 'end' && end).toMatchObject({
      finish_reason: 'stop',
      text: 'Hi!',
      usage: { prompt_tokens: 7, completion_tokens: 3 },
    });
    expect(JSON.parse(s.bodies['/generate_stream']![0]!)).toEqual({
      inputs: 'Say hi',
      parameters: { do_sample: true, details: true, max_new_tokens: 8 },
    });
  });

  it('[TGI-PARAM-8][TGI-AUTH-1] sends the u64 seed raw, the bearer key and extra body fields', async () => {
    const s = setup({
      apiKey: 'sk-secret',
      extraBody: { tag: 'a', inputs: 'ignored' },
      extraParameters: { truncate: 100, details: false },
    });
    onPost(s, '/generate_stream', 200, sse(GENERATE_FRAMES));
    await collect(s.adapter.submit({ prompt: 'x', seed: '18446744073709551615' }));
    const raw = s.bodies['/generate_stream']![0]!;
    expect(raw).toContain('"seed":18446744073709551615');
    // Extras only add what orch did not set itself.
    expect(JSON.parse(raw)).toMatchObject({
      tag: 'a',
      inputs: 'x',
      parameters: { truncate: 100, details: true },
    });
    expect(s.headers[0]?.authorization).toBe('Bearer sk-secret');
  });

  it('[TGI-STREAM-1] accepts data: without a space and ignores keep-alive comments', async () => {
    const s = setup();
    const body = `:\n\n${GENERATE_FRAMES.map((f) => `data:${f}\n\n`).join(':\n\n')}`;
    onPost(s, '/generate_stream', 200, body);
    const r = await s.adapter.generate({ prompt: 'x' });
    expect(r.text).toBe('Hi!');
  });

  it('[TGI-ERR-1] an in-stream error after tokens ends with an error event, never an end', async () => {
    const s = setup();
    onPost(
      s,
      '/generate_stream',
      200,
      sse([
        GENERATE_FRAMES[0]!,
        '{"error":"Request failed during generation: Server error: CUDA OOM","error_type":"generation"}',
      ]),
    );
    const events = await collect(s.adapter.submit({ prompt: 'x' }));
    const last = events.at(-1);
    expect(last).toMatchObject({
      type: 'error',
      code: 'UPSTREAM_ERROR',
      tokens_emitted: 1,
      retriable: false,
    });
  });

  it('[TGI-ERR-1] an in-stream overloaded error before any token is retriable', async () => {
    const s = setup();
    onPost(s, '/generate_stream', 200, sse(['{"error":"Model is overloaded","error_type":"overloaded"}']));
    const events = await collect(s.adapter.submit({ prompt: 'x' }));
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'OVERLOADED',
      retriable: true,
      tokens_emitted: 0,
    });
  });

  it('[TGI-STREAM-7] a stream that ends cleanly without its final event is an error', async () => {
    const s = setup();
    onPost(s, '/generate_stream', 200, sse(GENERATE_FRAMES.slice(0, 2)));
    const events = await collect(s.adapter.submit({ prompt: 'x' }));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'NETWORK', tokens_emitted: 2 });
  });

  it('[TGI-STREAM-6] a malformed event is a PROTOCOL error for that job only', async () => {
    const s = setup();
    onPost(s, '/generate_stream', 200, sse([GENERATE_FRAMES[0]!, '{"index":2,"token":']));
    onPost(s, '/generate_stream', 200, sse(GENERATE_FRAMES));
    const bad = await collect(s.adapter.submit({ prompt: 'x' }));
    expect(bad.at(-1)).toMatchObject({ type: 'error', code: 'PROTOCOL', tokens_emitted: 1 });
    const good = await s.adapter.generate({ prompt: 'x' });
    expect(good.text).toBe('Hi!');
  });
});

describe('TgiHttpAdapter over MockAgent: HTTP errors', () => {
  it('[TGI-ERR-3] a plain-text 422 body becomes INVALID_REQUEST with the text', async () => {
    const s = setup();
    const text = 'Failed to deserialize the JSON body into the target type: parameters.stop: invalid type';
    onPost(s, '/generate_stream', 422, text, { 'content-type': 'text/plain; charset=utf-8' });
    const events = await collect(s.adapter.submit({ prompt: 'x' }));
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'INVALID_REQUEST',
      status: 422,
      message: text,
    });
  });

  it('[TGI-ERR-4] 401 with an empty body is UNAUTHORIZED', async () => {
    const s = setup();
    onPost(s, '/generate_stream', 401, '', {});
    await expect(s.adapter.generate({ prompt: 'x' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      status: 401,
    });
  });

  it('[TGI-ERR-6] 429 overloaded is OVERLOADED, retriable, with Retry-After', async () => {
    const s = setup();
    onPost(s, '/generate_stream', 429, '{"error":"Model is overloaded","error_type":"overloaded"}', {
      ...JSON_CT,
      'retry-after': '3',
    });
    const events = await collect(s.adapter.submit({ prompt: 'x' }));
    expect(events.at(-1)).toMatchObject({
      code: 'OVERLOADED',
      retriable: true,
      status: 429,
      retry_after_ms: 3000,
    });
  });

  it('[TGI-ERR-5][TGI-ERR-7] 424 and 503 are retriable UPSTREAM_ERRORs', async () => {
    const s = setup();
    onPost(
      s,
      '/generate_stream',
      424,
      '{"error":"Request failed during generation: x","error_type":"generation"}',
      JSON_CT,
    );
    onPost(s, '/generate_stream', 503, '{"error":"unhealthy","error_type":"healthcheck"}', JSON_CT);
    const a = await collect(s.adapter.submit({ prompt: 'x' }));
    const b = await collect(s.adapter.submit({ prompt: 'x' }));
    expect(a.at(-1)).toMatchObject({ code: 'UPSTREAM_ERROR', retriable: true, status: 424 });
    expect(b.at(-1)).toMatchObject({ code: 'UPSTREAM_ERROR', retriable: true, status: 503 });
  });

  it('[TGI-ROUTE-2] route generate with messages fails with INVALID_REQUEST naming messages, nothing sent', async () => {
    const s = setup({ route: 'generate' });
    const events = await collect(s.adapter.submit({ messages: [{ role: 'user', content: 'x' }] }));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
    expect(s.bodies['/generate_stream']).toBeUndefined();
  });
});

describe('TgiHttpAdapter construction', () => {
  it('rejects a bad baseUrl with INVALID_REQUEST naming it', () => {
    expect(() => new TgiHttpAdapter({ baseUrl: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', field: 'baseUrl' }),
    );
    expect(new TgiHttpAdapter({ baseUrl: 'http://10.0.0.5:8080/tgi' }).id).toBe('tgi@10.0.0.5:8080');
  });
});
