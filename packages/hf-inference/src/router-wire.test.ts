import { isOrchError } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { adapterHarness, collect } from './__fixtures__/adapter-harness.js';
import { type FakeRouter, startFakeRouter } from './testing/fake-router.js';

const KEY = 'hf_test_key_123456';

let router: FakeRouter;
const make = adapterHarness(
  async () => (router = await startFakeRouter({ apiKey: KEY, models: ['meta-llama/Llama-3.1-8B-Instruct'] })),
  (server) => ({
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    apiKey: KEY,
    baseUrl: server.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  }),
);

function lastBody(): Record<string, unknown> {
  const req = router.requests.at(-1);
  return req?.body as Record<string, unknown>;
}

describe('router mode against the fake router', () => {
  it('[HF-ROUTER-1] streams chat completions, usage from the usage chunk', async () => {
    const a = make();
    const events = await collect(a.submit({ prompt: 'Say hello to the world', max_tokens: 50 }));
    expect(events[0]).toMatchObject({
      type: 'started',
      engine: 'hf-inference',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
    });
    const tokens = events.filter((e) => e.type === 'token').map((e) => (e.type === 'token' ? e.text : ''));
    expect(tokens).toEqual(['Hello', ',', ' world', '!', ' How', ' are', ' you', '?']);
    const end = events.at(-1);
    expect(end).toMatchObject({
      type: 'end',
      finish_reason: 'stop',
      text: 'Hello, world! How are you?',
      usage: { prompt_tokens: 5, completion_tokens: 8 },
    });
    const req = router.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/chat/completions');
    expect(lastBody()).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
    });
  });

  it('[HF-ROUTER-1] finished streams leave their connection reusable (keep-alive)', async () => {
    const a = make();
    for (let i = 0; i < 5; i++) await a.generate({ prompt: `n${i}` });
    expect(router.requests.filter((r) => r.method === 'POST')).toHaveLength(5);
    expect(router.connections).toBeLessThan(5);
  });

  it('[HF-ROUTER-2] a prompt-only task becomes a single user message', async () => {
    await make().generate({ prompt: 'Hi there' });
    expect(lastBody().messages).toEqual([{ role: 'user', content: 'Hi there' }]);
  });

  it('[HF-ROUTER-3] provider suffixes and routing policies are passed through', async () => {
    const a = make({ provider: 'together' });
    await a.generate({ prompt: 'x' });
    expect(lastBody().model).toBe('meta-llama/Llama-3.1-8B-Instruct:together');
    await a.generate({ prompt: 'x', model: 'meta-llama/Llama-3.1-8B-Instruct:fastest' });
    expect(lastBody().model).toBe('meta-llama/Llama-3.1-8B-Instruct:fastest');
    const started = (
      await collect(a.submit({ prompt: 'x', model: 'meta-llama/Llama-3.1-8B-Instruct:cheapest' }))
    )[0];
    expect(started).toMatchObject({ type: 'started', model: 'meta-llama/Llama-3.1-8B-Instruct:cheapest' });
    expect(lastBody().model).toBe('meta-llama/Llama-3.1-8B-Instruct:cheapest');
  });

  it('[HF-ROUTER-4] tools pass through in OpenAI shape and tool-call deltas are assembled', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'object', properties: {} },
        },
      },
    ];
    const a = make();
    const r = await a.generate({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: 'auto',
    });
    expect(lastBody().tools).toEqual(tools);
    expect(lastBody().tool_choice).toBe('auto');
    expect(r.finish_reason).toBe('tool_calls');
    expect(r.tool_calls).toEqual([
      {
        id: 'call_fake_0',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' },
      },
    ]);
    const nonStream = await a.generate(
      { messages: [{ role: 'user', content: 'Weather?' }], tools },
      { stream: false },
    );
    expect(nonStream.tool_calls?.[0]?.function.arguments).toBe('{"location":"Paris","unit":"celsius"}');
    expect(nonStream.finish_reason).toBe('tool_calls');
  });

  it('[HF-ROUTER-5] response_format json is sent as json_schema (or json_object)', async () => {
    const a = make();
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const r = await a.generate({ prompt: 'json please', response_format: { type: 'json', schema } });
    expect(lastBody().response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema },
    });
    expect(JSON.parse(r.text)).toEqual({ answer: 'fake', ok: true });
    await a.generate({ prompt: 'json please', response_format: { type: 'json' } });
    expect(lastBody().response_format).toEqual({ type: 'json_object' });
  });

  it('[HF-ROUTER-5] a regex response_format is refused as UNSUPPORTED before any request', async () => {
    const a = make();
    const before = router.requests.length;
    const err = await a
      .generate({ prompt: 'x', response_format: { type: 'regex', pattern: '[a-z]+' } })
      .catch((e) => e);
    expect(isOrchError(err) && err.code).toBe('UNSUPPORTED');
    expect(isOrchError(err) && err.field).toBe('response_format');
    expect(router.requests.length).toBe(before);
  });

  it('[HF-ROUTER-6] generate({stream:false}) uses one non-streamed completion', async () => {
    const r = await make().generate({ prompt: 'hello', max_tokens: 3 }, { stream: false });
    expect(lastBody().stream).toBe(false);
    expect(lastBody().stream_options).toBeUndefined();
    expect(r).toMatchObject({
      text: 'Hello, world',
      finish_reason: 'length',
      usage: { completion_tokens: 3 },
    });
  });

  it('[HF-ROUTER-7] a u64 seed is written without precision loss; greedy is temperature 0', async () => {
    await make().generate({ prompt: 'x', seed: '18446744073709551615', do_sample: false, top_k: 5 });
    const raw = router.requests.at(-1)!.rawBody;
    expect(raw).toContain('"seed":18446744073709551615');
    expect(lastBody().temperature).toBe(0);
    expect(lastBody()).not.toHaveProperty('top_k');
  });

  it('[HF-ROUTER-8] extraBody fields are merged into the request body', async () => {
    await make({ extraBody: { top_k: 40, provider_flag: true } }).generate({ prompt: 'x' });
    expect(lastBody()).toMatchObject({ top_k: 40, provider_flag: true });
  });

  it('[HF-AUTH-1] sends the bearer key, X-HF-Bill-To when billTo is set, and extra headers', async () => {
    await make({ billTo: 'my-org', headers: { 'x-custom': 'yes' } }).generate({ prompt: 'x' });
    const h = router.requests.at(-1)!.headers;
    expect(h.authorization).toBe(`Bearer ${KEY}`);
    expect(h['x-hf-bill-to']).toBe('my-org');
    expect(h['x-custom']).toBe('yes');
  });

  it('[HF-AUTH-1] without billTo no X-HF-Bill-To header is sent', async () => {
    await make().generate({ prompt: 'x' });
    expect(router.requests.at(-1)!.headers).not.toHaveProperty('x-hf-bill-to');
  });

  it('[HF-CFG-2] reads no environment: without apiKey no Authorization is sent, even with HF_TOKEN set', async () => {
    const before = process.env.HF_TOKEN;
    process.env.HF_TOKEN = 'hf_from_env_should_not_be_used';
    try {
      router.configure({ apiKey: undefined });
      const a = make({ apiKey: undefined });
      await a.generate({ prompt: 'x' });
      expect(router.requests.at(-1)!.headers).not.toHaveProperty('authorization');
    } finally {
      if (before === undefined) delete process.env.HF_TOKEN;
      else process.env.HF_TOKEN = before;
    }
  });

  it('[HF-CFG-2] a key function is asked for each request (rotation)', async () => {
    const keys = [KEY, KEY];
    let asked = 0;
    const a = make({
      apiKey: () => {
        asked++;
        return keys.shift();
      },
    });
    await a.generate({ prompt: 'x' });
    await a.generate({ prompt: 'y' });
    expect(asked).toBe(2);
  });

  it('[HF-HOOK-1] hooks see the request with the key redacted', async () => {
    const seen: string[] = [];
    let chunks = 0;
    let completeInfo: { events: number; bytes: number; error?: unknown } | undefined;
    let resolveComplete: () => void = () => {};
    const completed = new Promise<void>((r) => {
      resolveComplete = r;
    });
    await make({
      hooks: {
        onRequest: (i) => seen.push(JSON.stringify(i.request)),
        onResponse: (i) => seen.push(JSON.stringify(i.request)),
        onChunk: () => {
          chunks++;
        },
        onStreamComplete: (i) => {
          completeInfo = i;
          resolveComplete();
        },
      },
    }).generate({ prompt: 'x' });
    expect(seen.length).toBe(2);
    for (const s of seen) {
      expect(s).not.toContain(KEY);
      expect(s).toContain('****');
    }
    expect(chunks).toBeGreaterThan(0);
    // The body's end is read after the final event (keep-alive), so completion may come just after.
    await completed;
    expect(completeInfo?.error).toBeUndefined();
    expect(completeInfo?.events).toBeGreaterThan(8);
  });

  it('[HF-CANCEL-1] cancelling a running stream closes the upstream connection', async () => {
    const a = make();
    router.fault({ kind: 'hang', afterTokens: 2 });
    const aborted = router.nextAbort();
    const stream = a.submit({ prompt: 'x' });
    for await (const ev of stream) {
      if (ev.type === 'token' && ev.index === 1) a.cancel(stream.jobId);
    }
    await aborted;
    expect(router.requests.at(-1)!.aborted).toBe(true);
    expect((await stream.result).type).toBe('error');
  });
});
