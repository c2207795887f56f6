import { connect, createServer, type Server } from 'node:net';
import { startFakeTgi } from '@orch/fake-tgi';
import { describe, expect, it } from 'vitest';
import { adapter, collect, ctx, last, lastRequest, useFakeTgi } from './__fixtures__/wire.js';

useFakeTgi();

describe('TgiHttpAdapter against fake-tgi: happy paths', () => {
  it('[TGI-ROUTE-1][TGI-STREAM-3][TGI-STREAM-5] a prompt streams from /generate_stream with usage', async () => {
    const events = await collect(adapter().submit({ prompt: 'Hello #tokens=5' }));
    expect(events.map((e) => e.type)).toEqual([
      'started',
      'token',
      'token',
      'token',
      'token',
      'token',
      'end',
    ]);
    const end = last(events);
    expect(end.type === 'end' && end).toMatchObject({
      finish_reason: 'length',
      usage: { completion_tokens: 5 },
    });
    if (end.type === 'end') expect(end.usage.prompt_tokens).toBeGreaterThan(0);
    expect(lastRequest('/generate_stream').body).toMatchObject({
      parameters: { details: true, do_sample: true },
    });
  });

  it('[TGI-STREAM-3][TGI-STREAM-4] EOS: the special token is streamed but not in end.text; finish stop', async () => {
    const events = await collect(adapter().submit({ prompt: 'Hi', max_tokens: 100 }));
    const tokens = events.filter((e) => e.type === 'token');
    const eos = tokens.at(-1);
    expect(eos?.type === 'token' && eos.special).toBe(true);
    const end = last(events);
    expect(end.type === 'end' && end.finish_reason).toBe('stop');
    if (end.type === 'end' && eos?.type === 'token') expect(end.text).not.toContain(eos.text);
  });

  it('[TGI-PROPS-2] started carries the engine version and model from /info', async () => {
    const events = await collect(adapter().submit({ prompt: 'Hi #tokens=1' }));
    expect(events[0]).toMatchObject({ type: 'started', engine: 'tgi', engine_version: '3.3.6-dev0' });
    expect(events[0]?.type === 'started' && events[0].model).toBe('fake-org/fake-model');
  });

  it('[TGI-PARAM-8] the u64 seed reaches TGI without precision loss', async () => {
    await adapter().generate({ prompt: 'Hi #tokens=2', seed: '18446744073709551557', temperature: 0.5 });
    expect(lastRequest('/generate_stream').rawBody).toContain('"seed":18446744073709551557');
  });

  it('[TGI-ROUTE-1][TGI-CHAT-1] messages stream from /v1/chat/completions with usage', async () => {
    const r = await adapter().generate({ messages: [{ role: 'user', content: 'Hello' }], max_tokens: 4 });
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.usage.completion_tokens).toBeGreaterThan(0);
    expect(r.usage.prompt_tokens).toBeGreaterThan(0);
    expect(lastRequest('/v1/chat/completions').body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('[TGI-CHAT-2] a tool call streams and ends with tool_calls and parseable arguments', async () => {
    const r = await adapter().generate({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      tool_choice: 'required',
      max_tokens: 200,
    });
    expect(r.finish_reason).toBe('tool_calls');
    expect(r.tool_calls?.[0]?.function.name).toBe('get_weather');
    expect(typeof JSON.parse(r.tool_calls![0]!.function.arguments)).toBe('object');
  });

  it('[TGI-PARAM-7] response_format goes to chat as TGI {type, value}', async () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    const r = await adapter().generate({
      prompt: 'a number',
      response_format: { type: 'json', schema },
      max_tokens: 50,
    });
    expect(lastRequest('/v1/chat/completions').body).toMatchObject({
      response_format: { type: 'json', value: schema },
    });
    expect(r.text.length).toBeGreaterThan(0);
  });

  it('[TGI-ROUTE-3] generate({stream:false}) uses /generate and non-stream chat', async () => {
    const a = adapter();
    const g = await a.generate({ prompt: 'Hi #tokens=3' }, { stream: false });
    expect(g).toMatchObject({ finish_reason: 'length', usage: { completion_tokens: 3 } });
    expect(lastRequest('/generate').path).toBe('/generate');
    const c = await a.generate(
      { messages: [{ role: 'user', content: 'x' }], max_tokens: 3 },
      { stream: false },
    );
    expect(c.text.length).toBeGreaterThan(0);
    expect(lastRequest('/v1/chat/completions').body).toMatchObject({ stream: false });
  });

  it('[TGI-STREAM-1] TGI <= 2.0 framing (data: without a space) and /info field names', async () => {
    const old = await startFakeTgi({ noSpaceAfterData: true, legacyInfo: true });
    try {
      const a = adapter({ baseUrl: old.url });
      const r = await a.generate({ prompt: 'x #tokens=3' });
      expect(r.usage.completion_tokens).toBe(3);
      expect(r.engine_version).toBe('2.0.4');
      expect((await a.props()).maxInputTokens).toBeGreaterThan(0);
    } finally {
      await old.close();
    }
  });

  it('[TGI-AUTH-1] the API key is sent as a bearer token', async () => {
    const secured = await startFakeTgi({ apiKey: 'sk-test-123' });
    try {
      const ok = await adapter({ baseUrl: secured.url, apiKey: 'sk-test-123' }).generate({
        prompt: 'x #tokens=1',
      });
      expect(ok.usage.completion_tokens).toBe(1);
      await expect(
        adapter({ baseUrl: secured.url, apiKey: 'wrong' }).generate({ prompt: 'x' }),
      ).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
      });
    } finally {
      await secured.close();
    }
  });
});

describe('TgiHttpAdapter against fake-tgi: health', () => {
  it('[TGI-HEALTH-1] healthy, unhealthy (503), degraded (slow) and refused', async () => {
    // Default 1 s threshold for healthy (a loaded machine must not flip it), 1 ms for the slow probe.
    const a = adapter();
    const strict = adapter({ degradedLatencyMs: 1 });
    expect(await a.health()).toMatchObject({ state: 'healthy', live: true, ready: true });
    await ctx.fake.setFaults({ unhealthy: true });
    expect(await a.health()).toMatchObject({ state: 'unhealthy', live: true, ready: false });
    await ctx.fake.setFaults({ unhealthy: false, healthDelayMs: 30 });
    expect(await strict.health()).toMatchObject({ state: 'degraded', live: true, ready: true });
    await ctx.fake.setFaults({ healthDelayMs: 0, refuseConnections: true });
    expect(await a.health()).toMatchObject({ state: 'unhealthy', live: false, ready: false });
  });
});

describe('TgiHttpAdapter against fake-tgi: connections', () => {
  it('[TGI-PERF-1] connections are kept alive across jobs (the body end is read, not destroyed)', async () => {
    // A counting TCP relay in front of the fake: every new upstream connection shows here.
    let connections = 0;
    const relay: Server = createServer((client) => {
      connections++;
      const upstream = connect(ctx.fake.port, '127.0.0.1');
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = relay.address() as { port: number };
      const a = adapter({ baseUrl: `http://127.0.0.1:${port}`, connections: 4 });
      for (let i = 0; i < 10; i++) await a.generate({ prompt: 'x #tokens=20' });
      for (let i = 0; i < 10; i++)
        await a.generate({ messages: [{ role: 'user', content: 'x' }], max_tokens: 5 });
      await a.close();
      expect(connections).toBeLessThanOrEqual(2);
    } finally {
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });
});
