import { OrchError } from '@orch/adapter-api';
import { MockAdapter, mockError } from '@orch/adapter-api/testing';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MockOrchestrator } from './__test-utils__/mock-orchestrator.js';
import { type Harness, startHarness } from './__test-utils__/route-harness.js';
import { ToolAdapter } from './__test-utils__/tool-adapter.js';
import { openaiRoutes } from './openai.js';

const mock = new MockAdapter({ model: 'mock-model' });
const tools = new ToolAdapter();
const orchestrator = new MockOrchestrator({ adapters: { 'mock-model': mock, 'tool-model': tools } });
let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  h = await startHarness(orchestrator, [openaiRoutes]);
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(() => h.close());
afterEach(() => mock.reset());

async function rawPost(
  path: string,
  body: unknown,
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { location: { type: 'string' } } },
  },
};

describe('OpenAI-compatible API through the official SDK', () => {
  it('[ORCHD-OAI-1] chat completion, non-stream', async () => {
    const r = await client.chat.completions.create({
      model: 'mock-model',
      messages: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(r.object).toBe('chat.completion');
    expect(r.model).toBe('mock-model');
    expect(r.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Hello, world!' });
    expect(r.choices[0]?.finish_reason).toBe('stop');
    expect(r.usage?.completion_tokens).toBe(4);
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + 4);
    // developer is OpenAI's newer name for system.
    expect(orchestrator.jobs.at(-1)?.task.messages?.[0]?.role).toBe('system');
  });

  it('[ORCHD-OAI-2] chat stream: role first, one delta per token, finish, usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello, world!');
    const contentChunks = chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '');
    expect(contentChunks).toHaveLength(4);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBe(4);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('[ORCHD-OAI-2] the raw stream ends with data: [DONE]', async () => {
    const r = await rawPost('/v1/chat/completions', {
      model: 'mock-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    expect(r.text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(r.text).not.toContain('"usage"');
  });

  it('[ORCHD-OAI-3] tools → tool_calls with finish_reason tool_calls (non-stream)', async () => {
    const r = await client.chat.completions.create({
      model: 'tool-model',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [weatherTool],
      tool_choice: 'auto',
    });
    const choice = r.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris' });
    expect(tools.tasks.at(-1)?.tools?.[0]?.function.name).toBe('get_weather');
  });

  it('[ORCHD-OAI-3] tools in a stream: tool_call deltas, no raw JSON as content', async () => {
    const stream = await client.chat.completions.create({
      model: 'tool-model',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [weatherTool],
      stream: true,
    });
    let content = '';
    let args = '';
    let name = '';
    let finish: string | null = null;
    for await (const c of stream) {
      const choice = c.choices[0];
      content += choice?.delta.content ?? '';
      for (const t of choice?.delta.tool_calls ?? []) {
        name += t.function?.name ?? '';
        args += t.function?.arguments ?? '';
      }
      finish = choice?.finish_reason ?? finish;
    }
    expect(content).toBe('');
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ location: 'Paris' });
    expect(finish).toBe('tool_calls');
  });

  it('[ORCHD-OAI-2] [ORCHD-OAI-3] the SDK stream helper assembles the final completion (content and tool calls)', async () => {
    const text = client.chat.completions.stream({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream_options: { include_usage: true },
    });
    const final = await text.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Hello, world!');
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(final.usage?.completion_tokens).toBe(4);

    const tool = client.chat.completions.stream({
      model: 'tool-model',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [weatherTool],
    });
    const calls = await tool.finalChatCompletion();
    const call = calls.choices[0]?.message.tool_calls?.[0];
    expect(calls.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('get_weather');
  });

  it('[ORCHD-OAI-4] legacy completions, non-stream and stream', async () => {
    const r = await client.completions.create({ model: 'mock-model', prompt: 'Say hi', max_tokens: 2 });
    expect(r.object).toBe('text_completion');
    expect(r.choices[0]?.text).toBe('Hello,');
    expect(r.choices[0]?.finish_reason).toBe('length');
    const stream = await client.completions.create({
      model: 'mock-model',
      prompt: 'Say hi',
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = 0;
    for await (const c of stream) {
      text += c.choices[0]?.text ?? '';
      if (c.usage) usage = c.usage.completion_tokens;
    }
    expect(text).toBe('Hello, world!');
    expect(usage).toBe(4);
  });

  it('[ORCHD-OAI-4] echo prepends the prompt; stop as a string ends at the stop sequence', async () => {
    const r = await client.completions.create({ model: 'mock-model', prompt: 'P:', echo: true, stop: ',' });
    expect(r.choices[0]?.text).toBe('P:Hello,');
    expect(r.choices[0]?.finish_reason).toBe('stop');
    expect(mock.tasks.at(-1)?.stop).toEqual([',']);
  });

  it('[ORCHD-OAI-5] models list and retrieve', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(['mock-model', 'tool-model']);
    const one = await client.models.retrieve('mock-model');
    expect(one).toMatchObject({ id: 'mock-model', object: 'model' });
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('[ORCHD-OAI-6] a bad field is a 400 whose param names it; unknown fields are ignored', async () => {
    const err = await client.chat.completions
      .create({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }], temperature: 7 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.param).toBe('temperature');
    expect(bad.type).toBe('invalid_request_error');

    const n = await rawPost('/v1/chat/completions', { model: 'mock-model', messages: [], n: 1 });
    expect(n.status).toBe(400);
    expect(JSON.parse(n.text).error.param).toBe('messages');

    const ok = await rawPost('/v1/chat/completions', {
      model: 'mock-model',
      messages: [{ role: 'user', content: 'x' }],
      user: 'u1',
      store: false,
      parallel_tool_calls: true,
      some_future_field: { a: 1 },
    });
    expect(ok.status).toBe(200);
  });

  it('[ORCHD-OAI-6] unknown model is a 404 model_not_found; bad JSON a 400', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    const res = await fetch(`${h.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
  });

  it('[ORCHD-OAI-6] admission rejection is a 429 with Retry-After in OpenAI shape', async () => {
    const busy = new MockOrchestrator({
      adapters: { 'mock-model': mock },
      rejectWith: new OrchError('RATE_LIMITED', 'queue full', { retryAfterMs: 1500, status: 429 }),
    });
    const h2 = await startHarness(busy, [openaiRoutes]);
    try {
      const r = await fetch(`${h2.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-model', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(r.headers.get('x-backoff-ms')).toBe('1500');
      const body = (await r.json()) as { error: { type: string; code: string } };
      expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    } finally {
      await h2.close();
    }
  });

  it('[ORCHD-OAI-7] SDK abort mid-stream cancels the job and reaches the engine', async () => {
    mock.configure({ hang: { afterTokens: 1 } });
    const stream = await client.chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    const aborted = mock.nextAbort();
    let content = '';
    for await (const c of stream) {
      content += c.choices[0]?.delta.content ?? '';
      if (content !== '') stream.controller.abort();
    }
    await aborted;
    expect(content).toBe('Hello');
    const job = orchestrator.jobs.at(-1);
    const terminal = await job?.result;
    expect(terminal).toMatchObject({ type: 'error', code: 'CANCELLED' });
    expect(orchestrator.contexts.at(-1)?.signal?.aborted).toBe(true);
  });

  it('[ORCHD-OAI-8] a failure after the first token is an in-stream error, never [DONE]', async () => {
    mock.configure({ failAfterTokens: { after: 2, error: mockError('UPSTREAM_ERROR', 'engine died', 502) } });
    const stream = await client.chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let content = '';
    const err = await (async () => {
      for await (const c of stream) content += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(content).toBe('Hello,');
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toContain('engine died');

    mock.configure({ failAfterTokens: { after: 1, error: mockError('UPSTREAM_ERROR', 'died', 502) } });
    const raw = await rawPost('/v1/completions', { model: 'mock-model', prompt: 'x', stream: true });
    expect(raw.text).toContain('"error"');
    expect(raw.text).not.toContain('[DONE]');
  });

  it('[ORCHD-OAI-8][ORCHD-COMPAT-2] a failure before any token is an HTTP error with its status', async () => {
    mock.configure({ failBeforeStart: mockError('UPSTREAM_ERROR', 'no replica answered', 502) });
    const err = await client.chat.completions
      .create({ model: 'mock-model', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  });

  it('[ORCHD-OAI-9] TGI-style response_format {type, value} is accepted too', async () => {
    const r = await rawPost('/v1/chat/completions', {
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'regex', value: '\\d+' },
    });
    expect(r.status).toBe(200);
    expect(mock.tasks.at(-1)?.response_format).toEqual({ type: 'regex', pattern: '\\d+' });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    await rawPost('/v1/chat/completions', {
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
    });
    expect(mock.tasks.at(-1)?.response_format).toEqual({ type: 'json', schema });
  });

  it('[ORCHD-OAI-9] request fields reach the task (sampling, stop, response_format, logprobs)', async () => {
    const r = await client.chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      max_completion_tokens: 3,
      temperature: 0.5,
      top_p: 0.9,
      seed: 42,
      stop: ['END'],
      response_format: { type: 'json_object' },
      logprobs: true,
      top_logprobs: 2,
    });
    const task = mock.tasks.at(-1);
    expect(task).toMatchObject({
      max_tokens: 3,
      temperature: 0.5,
      top_p: 0.9,
      seed: '42',
      stop: ['END'],
      response_format: { type: 'json' },
      logprobs: true,
      top_logprobs: 2,
    });
    expect(r.choices[0]?.finish_reason).toBe('length');
    expect(r.choices[0]?.logprobs?.content?.map((c) => c.token)).toEqual(['Hello', ',', ' world']);
    expect(r.choices[0]?.logprobs?.content?.[0]?.logprob).toBe(-0.5);
  });
});
