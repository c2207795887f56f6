import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHfRouter } from './hf-router.js';
import { headerOf, rawRequest, sseData } from './raw-http.js';
import type { FakeTgi } from './types.js';

let hf: FakeTgi;
beforeAll(async () => {
  hf = await startFakeHfRouter({ apiKey: 'hf_test', tokens: { count: 3 } });
});
afterAll(() => hf.close());
beforeEach(() => hf.reset());

const auth = { authorization: 'Bearer hf_test' };
const call = (path: string, body?: unknown, headers: Record<string, string> = auth) =>
  rawRequest(hf.url + path, { body, headers });
const msgs = [{ role: 'user', content: 'hi' }];
const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'fake-org/fake-model',
  messages: msgs,
  ...extra,
});
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } } },
  },
};

interface OaChunk {
  id: string;
  object: string;
  model: string;
  choices: { delta: Record<string, unknown>; finish_reason: string | null }[];
  usage?: unknown;
}
const parseChunks = (text: string) =>
  sseData(text).map((d) => (d === '[DONE]' ? d : (JSON.parse(d) as OaChunk)));

describe('fake HF router: OpenAI-compatible chat', () => {
  it('[FAKE-HF-1] stream: role only in the first delta, empty final delta with finish, usage, [DONE]', async () => {
    const r = await call(
      '/v1/chat/completions',
      chatBody({ stream: true, stream_options: { include_usage: true } }),
    );
    expect(r.status).toBe(200);
    const all = parseChunks(r.body.toString());
    expect(all.at(-1)).toBe('[DONE]');
    const chunks = all.slice(0, -1) as OaChunk[];
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.slice(1, 4).map((c) => c.choices[0]!.delta)).toEqual([
      { content: ' tok0' },
      { content: ' tok1' },
      { content: ' tok2' },
    ]);
    expect(chunks[4]!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks[5]!.choices).toEqual([]);
    expect(chunks[5]!.usage).toMatchObject({ completion_tokens: 4 });
    expect(chunks.every((c) => c.id === 'chatcmpl-fake-1' && c.object === 'chat.completion.chunk')).toBe(
      true,
    );
    expect(Object.keys(chunks[0]!)).toEqual([
      'id',
      'object',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
  });

  it('[FAKE-HF-2] provider / policy suffixes are accepted and echoed; unknown models are a 400', async () => {
    const r = await call(
      '/v1/chat/completions',
      chatBody({ model: 'fake-org/fake-model:fastest', max_tokens: 1 }),
    );
    const body = JSON.parse(r.body.toString()) as { model: string; choices: { finish_reason: string }[] };
    expect(body.model).toBe('fake-org/fake-model:fastest');
    expect(body.choices[0]!.finish_reason).toBe('length');
    const bad = await call('/v1/chat/completions', chatBody({ model: 'nope/model' }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).error.message).toContain("'nope/model' is not supported");
  });

  it('[FAKE-HF-3] tool calls: OpenAI deltas, finish tool_calls; non-stream content null', async () => {
    const s = await call('/v1/chat/completions', chatBody({ tools: [weather], stream: true }));
    const chunks = parseChunks(s.body.toString()).slice(0, -1) as OaChunk[];
    const first = chunks[0]!.choices[0]!.delta as {
      tool_calls: { id: string; function: { name: string } }[];
    };
    expect(first.tool_calls[0]!.function.name).toBe('get_weather');
    const args = chunks
      .slice(1, -1)
      .map(
        (c) => (c.choices[0]!.delta as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]!,
      )
      .map((t) => t.function.arguments)
      .join('');
    expect(JSON.parse(args)).toEqual({ location: 'Paris' });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
    const n = await call('/v1/chat/completions', chatBody({ tools: [weather] }));
    const msg = JSON.parse(n.body.toString()).choices[0].message;
    expect(msg.content).toBeNull();
    expect(msg.tool_calls[0].function.arguments).toBe('{"location":"Paris"}');
  });

  it('[FAKE-HF-4] json_schema response_format forces JSON content', async () => {
    const r = await call(
      '/v1/chat/completions',
      chatBody({
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', schema: { properties: { n: { type: 'integer' } } } },
        },
      }),
    );
    expect(JSON.parse(JSON.parse(r.body.toString()).choices[0].message.content)).toEqual({ n: 42 });
  });

  it('[FAKE-HF-5] 401 JSON without the key; /v1/models needs it too', async () => {
    const r = await call('/v1/chat/completions', chatBody(), {});
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body.toString()).error.message).toBe('Invalid credentials in Authorization header');
    expect((await call('/v1/models', undefined, {})).status).toBe(401);
    const models = await call('/v1/models');
    expect(JSON.parse(models.body.toString()).data[0].id).toBe('fake-org/fake-model');
  });

  it('[FAKE-HF-6] 429 with Retry-After and 5xx bursts in the object shape; string shape server', async () => {
    await hf.setFaults({ overloaded429: { retryAfter: '3', count: 1 } });
    const r = await call('/v1/chat/completions', chatBody());
    expect(r.status).toBe(429);
    expect(headerOf(r, 'retry-after')).toBe('3');
    expect(JSON.parse(r.body.toString()).error).toMatchObject({ type: 'rate_limit_error' });
    await hf.setFaults({ status5xx: { status: 503, count: 1 } });
    const u = await call('/v1/chat/completions', chatBody());
    expect(u.status).toBe(503);
    expect(JSON.parse(u.body.toString()).error.message).toBe('Service Unavailable');
    const str = await startFakeHfRouter({ errorShape: 'string', faults: { status5xx: { status: 502 } } });
    try {
      const x = await rawRequest(`${str.url}/v1/chat/completions`, { body: chatBody() });
      expect(x.status).toBe(502);
      expect(x.body.toString()).toBe('{"error":"Bad Gateway"}');
    } finally {
      await str.close();
    }
  });

  it('[FAKE-HF-7] mid-stream error event after N tokens, and a cut stream', async () => {
    await hf.setFaults({
      inStreamErrorAfterTokens: { after: 1, errorType: 'generation', message: 'boom', count: 1 },
    });
    const e = sseData((await call('/v1/chat/completions', chatBody({ stream: true }))).body.toString());
    expect(e.at(-1)).toBe('{"error":{"message":"boom","type":"server_error","code":null}}');
    expect(e).not.toContain('[DONE]');
    await hf.setFaults({ cutAfterTokens: { after: 2, count: 1 } });
    const c = await call('/v1/chat/completions', chatBody({ stream: true }));
    expect(c.truncated).toBe(true);
    expect(c.body.toString()).not.toContain('[DONE]');
  });

  it('[FAKE-HF-8] bad JSON is a JSON 400, not axum plain text', async () => {
    const r = await rawRequest(`${hf.url}/v1/chat/completions`, {
      body: '{"model":',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString()).error.message).toBe('Invalid JSON body');
  });
});

describe('fake HF router: serverless', () => {
  it('[FAKE-HF-9] 503 loading with estimated_time, for count requests, then TGI frames', async () => {
    await hf.setFaults({ modelLoading: { estimatedTime: 12.5, count: 1 } });
    const body = { inputs: 'Hi', parameters: { max_new_tokens: 2 } };
    const loading = await call('/models/fake-org/fake-model', body);
    expect(loading.status).toBe(503);
    expect(loading.body.toString()).toBe(
      '{"error":"Model fake-org/fake-model is currently loading","estimated_time":12.5}',
    );
    const ok = await call('/models/fake-org/fake-model', body);
    expect(ok.body.toString()).toBe('[{"generated_text":"Hi tok0 tok1"}]');
    const s = await call('/hf-inference/models/fake-org/fake-model', { ...body, stream: true });
    expect(sseData(s.body.toString())).toHaveLength(2);
  });

  it('[FAKE-HF-10] wait_for_model (option or header) waits instead of the 503', async () => {
    await hf.setFaults({ modelLoading: { waitMs: 5, count: 2 } });
    const viaOption = await call('/models/fake-org/fake-model', {
      inputs: 'a',
      options: { wait_for_model: true },
    });
    expect(viaOption.status).toBe(200);
    const viaHeader = await call(
      '/models/fake-org/fake-model',
      { inputs: 'a' },
      { ...auth, 'x-wait-for-model': 'true' },
    );
    expect(viaHeader.status).toBe(200);
    expect(hf.faults.modelLoading).toBeUndefined();
  });

  it('[FAKE-HF-11] serverless chat speaks TGI chat; unknown serverless model is 404', async () => {
    const r = await call('/models/fake-org/fake-model/v1/chat/completions', {
      messages: msgs,
      max_tokens: 1,
    });
    expect(JSON.parse(r.body.toString())).toMatchObject({ object: 'chat.completion', id: '' });
    const missing = await call('/models/other/model', { inputs: 'a' });
    expect(missing.status).toBe(404);
  });
});
