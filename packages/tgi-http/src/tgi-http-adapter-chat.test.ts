import { afterEach, describe, expect, it } from 'vitest';
import {
  CHUNK_HEAD,
  chatChunk,
  collect,
  INFO,
  JSON_CT,
  ORIGIN,
  onPost,
  setup,
  sse,
  teardown,
} from './__fixtures__/mock-tgi.js';
import { TgiHttpAdapter } from './tgi-http-adapter.js';

// MockAgent unit tests of the chat route, the non-stream calls, health and props.
afterEach(teardown);

describe('TgiHttpAdapter over MockAgent: chat', () => {
  it('[TGI-ROUTE-1][TGI-CHAT-1] messages go to /v1/chat/completions with include_usage', async () => {
    const s = setup();
    onPost(
      s,
      '/v1/chat/completions',
      200,
      sse([
        chatChunk('{"role":"assistant","content":"Hel"}'),
        chatChunk('{"role":"assistant","content":"lo"}'),
        chatChunk('{"role":"assistant","content":""}', 'stop'),
        `{${CHUNK_HEAD},"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}`,
        '[DONE]',
      ]),
    );
    const r = await s.adapter.generate({ messages: [{ role: 'user', content: 'hi' }], presence_penalty: 1 });
    expect(r).toMatchObject({
      text: 'Hello',
      finish_reason: 'stop',
      usage: { prompt_tokens: 12, completion_tokens: 3 },
    });
    const body = JSON.parse(s.bodies['/v1/chat/completions']![0]!);
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(body).not.toHaveProperty('presence_penalty');
  });

  it('[TGI-CHAT-2] tool calls end with tool_calls and the arguments string, with no finish_reason on the wire', async () => {
    const s = setup();
    onPost(
      s,
      '/v1/chat/completions',
      200,
      sse([
        chatChunk(
          '{"role":"assistant","tool_calls":[{"index":0,"id":"0","type":"function","function":{"name":"get_weather","arguments":"{"}}]}',
        ),
        chatChunk(
          '{"role":"assistant","tool_calls":[{"index":0,"id":"","type":"function","function":{"name":null,"arguments":"\\"city\\": \\"Paris\\"}"}}]}',
        ),
        '[DONE]',
      ]),
    );
    const r = await s.adapter.generate({
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    expect(r.finish_reason).toBe('tool_calls');
    expect(r.tool_calls).toEqual([
      { id: '0', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
    ]);
  });

  it('[TGI-ROUTE-1] response_format alone also routes to chat', async () => {
    const s = setup();
    onPost(s, '/v1/chat/completions', 200, sse([chatChunk('{"content":"{}"}', 'stop'), '[DONE]']));
    const r = await s.adapter.generate({ prompt: 'json please', response_format: { type: 'json' } });
    expect(r.text).toBe('{}');
    expect(JSON.parse(s.bodies['/v1/chat/completions']![0]!).response_format.type).toBe('json');
  });

  it('[TGI-ERR-2] a chat in-stream error with the hard-coded 422 maps by message', async () => {
    const s = setup();
    onPost(
      s,
      '/v1/chat/completions',
      200,
      sse(['{"error":{"message":"Model is overloaded","http_status_code":422}}', '[DONE]']),
    );
    const events = await collect(s.adapter.submit({ messages: [{ role: 'user', content: 'x' }] }));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'OVERLOADED', retriable: true });
  });
});

describe('TgiHttpAdapter over MockAgent: non-stream', () => {
  it('[TGI-ROUTE-3] generate({stream:false}) uses /generate and keeps generated_text', async () => {
    const s = setup();
    const body = {
      generated_text: 'Hi!',
      details: {
        finish_reason: 'eos_token',
        generated_tokens: 3,
        seed: null,
        prefill: [],
        tokens: [
          { id: 6324, text: 'Hi', logprob: -0.5, special: false },
          { id: 29991, text: '!', logprob: -1.25, special: false },
          { id: 2, text: '</s>', logprob: null, special: true },
        ],
      },
    };
    onPost(s, '/generate', 200, JSON.stringify(body), {
      ...JSON_CT,
      'x-prompt-tokens': '7',
      'x-generated-tokens': '3',
    });
    const r = await s.adapter.generate({ prompt: 'x' }, { stream: false });
    expect(r).toMatchObject({
      text: 'Hi!',
      finish_reason: 'stop',
      usage: { prompt_tokens: 7, completion_tokens: 3 },
    });
    expect(JSON.parse(s.bodies['/generate']![0]!).parameters.details).toBe(true);
  });

  it('[TGI-ROUTE-3] non-stream chat with a tool call', async () => {
    const s = setup();
    const body = {
      object: 'chat.completion',
      id: '',
      created: 1,
      model: 'm',
      system_fingerprint: '3.3.6-native',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            tool_calls: [
              {
                id: '0',
                type: 'function',
                function: { description: null, name: 'f', arguments: '{"a":1}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
    };
    onPost(s, '/v1/chat/completions', 200, JSON.stringify(body), JSON_CT);
    const r = await s.adapter.generate(
      { messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] },
      { stream: false },
    );
    expect(r).toMatchObject({ finish_reason: 'tool_calls', text: '', usage: { completion_tokens: 9 } });
    expect(r.tool_calls?.[0]?.function.arguments).toBe('{"a":1}');
    expect(JSON.parse(s.bodies['/v1/chat/completions']![0]!).stream).toBe(false);
  });

  it('[TGI-STREAM-6] an invalid non-stream body is a PROTOCOL error naming the field', async () => {
    const s = setup();
    onPost(s, '/generate', 200, '{"generated_text":42}', JSON_CT);
    await expect(s.adapter.generate({ prompt: 'x' }, { stream: false })).rejects.toMatchObject({
      code: 'PROTOCOL',
    });
  });
});

describe('TgiHttpAdapter over MockAgent: health and props', () => {
  it('[TGI-HEALTH-1] 200 is healthy, 503 unhealthy, refused unhealthy, slow degraded', async () => {
    // The default 1 s threshold for the first three (a loaded machine must not turn them degraded)...
    const s = setup();
    s.pool.intercept({ path: '/health', method: 'GET' }).reply(200, '');
    s.pool
      .intercept({ path: '/health', method: 'GET' })
      .reply(503, '{"error":"unhealthy","error_type":"healthcheck"}', { headers: JSON_CT });
    s.pool
      .intercept({ path: '/health', method: 'GET' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    s.pool.intercept({ path: '/health', method: 'GET' }).reply(200, '').delay(30);
    expect(await s.adapter.health()).toMatchObject({ state: 'healthy', live: true, ready: true });
    expect(await s.adapter.health()).toMatchObject({ state: 'unhealthy', live: true, ready: false });
    expect(await s.adapter.health()).toMatchObject({ state: 'unhealthy', live: false, ready: false });
    // ...and a 1 ms one for the slow probe, which takes at least 30 ms.
    const strict = new TgiHttpAdapter({
      baseUrl: ORIGIN,
      dispatcher: s.agent,
      retry: false,
      degradedLatencyMs: 1,
    });
    try {
      expect(await strict.health()).toMatchObject({ state: 'degraded', live: true, ready: true });
    } finally {
      await strict.close();
    }
  });

  it('[TGI-HEALTH-1] a probe past healthTimeoutMs is unhealthy; a caller abort is CANCELLED', async () => {
    const s = setup({ healthTimeoutMs: 20 });
    s.pool.intercept({ path: '/health', method: 'GET' }).reply(200, '').delay(200);
    expect(await s.adapter.health()).toMatchObject({ state: 'unhealthy', live: false, ready: false });
    s.pool.intercept({ path: '/health', method: 'GET' }).reply(200, '').delay(200);
    const ac = new AbortController();
    const pending = s.adapter.health({ signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('[TGI-PROPS-1] props come from /info and are cached', async () => {
    const s = setup();
    const p = await s.adapter.props();
    expect(p).toEqual({
      engine: 'tgi',
      engineVersion: '3.3.6-dev0',
      modelId: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
      maxInputTokens: 2047,
      maxTotalTokens: 2048,
      slotsTotal: 128,
      slotsFree: 128,
      capabilities: { chat: true, tools: true, grammar: true, logprobs: true, streaming: true },
    });
    await s.adapter.props();
    await s.adapter.generate({ prompt: 'x' }).catch(() => undefined);
    expect(s.infoRequests).toBe(1);
  });

  it('[TGI-PROPS-1] pre-2.1 /info (max_input_length) is accepted; old versions lose capabilities', async () => {
    const s = setup({}, { ...INFO, max_input_tokens: undefined, max_input_length: 1024, version: '1.4.0' });
    const p = await s.adapter.props();
    expect(p.maxInputTokens).toBe(1024);
    expect(p.capabilities).toMatchObject({ chat: true, grammar: false, tools: false });
  });

  it('[TGI-PROPS-1] an invalid /info is a PROTOCOL error naming the field', async () => {
    const s = setup({}, { version: '3.0.0' });
    await expect(s.adapter.props()).rejects.toMatchObject({ code: 'PROTOCOL', field: '/info.model_id' });
  });
});

describe('TgiHttpAdapter over MockAgent: old servers', () => {
  it('[TGI-PROPS-3] what the /info version cannot do is refused as UNSUPPORTED before sending', async () => {
    const s = setup({}, { ...INFO, version: '1.3.4' });
    const chat = await collect(s.adapter.submit({ messages: [{ role: 'user', content: 'x' }] }));
    expect(chat.at(-1)).toMatchObject({ type: 'error', code: 'UNSUPPORTED', retriable: false });
    const grammar = await collect(
      s.adapter.submit({ prompt: 'x', response_format: { type: 'regex', pattern: 'a+' } }),
    );
    expect(grammar.at(-1)).toMatchObject({ type: 'error', code: 'UNSUPPORTED' });
    expect(s.bodies['/v1/chat/completions']).toBeUndefined();
  });

  it('[TGI-PROPS-3] tools need 2.0.0; a 1.4.5 server still takes chat and grammars', async () => {
    const s = setup({ route: 'generate' }, { ...INFO, version: '1.4.5' });
    onPost(
      s,
      '/generate_stream',
      200,
      sse([
        '{"index":1,"token":{"id":1,"text":"a","logprob":-0.1,"special":false},"generated_text":"a","details":{"finish_reason":"length","generated_tokens":1,"seed":null,"input_length":2}}',
      ]),
    );
    const ok = await s.adapter.generate({ prompt: 'x', response_format: { type: 'regex', pattern: 'a' } });
    expect(ok.text).toBe('a');
    const tools = [{ type: 'function', function: { name: 'f' } }] as const;
    const s2 = await collect(
      s.adapter.submit({ messages: [{ role: 'user', content: 'x' }], tools: [...tools] }),
    );
    expect(s2.at(-1)).toMatchObject({ type: 'error', code: 'UNSUPPORTED' });
  });
});
