import {
  chatCompletion,
  chatCompletionStream,
  InferenceClientProviderApiError,
  textGeneration,
  textGenerationStream,
} from '@huggingface/inference';
import { OrchError } from '@orch/adapter-api';
import { MockAdapter, mockError } from '@orch/adapter-api/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MockOrchestrator } from './__test-utils__/mock-orchestrator.js';
import { type Harness, startHarness } from './__test-utils__/route-harness.js';
import { ScriptedAdapter } from './__test-utils__/scripted-adapter.js';
import { openaiRoutes } from './openai.js';
import { tgiRoutes } from './tgi.js';

const mock = new MockAdapter({ model: 'mock-model' });
const scripted = new ScriptedAdapter([
  { type: 'token', text: 'Hi', token_id: 5, logprob: -0.25 },
  { type: 'token', text: '</s>', token_id: 2, logprob: null, special: true },
  { type: 'end', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 2 } },
]);
const orchestrator = new MockOrchestrator({ adapters: { 'mock-model': mock, scripted } });
let h: Harness;

beforeAll(async () => {
  h = await startHarness(orchestrator, [openaiRoutes, tgiRoutes]);
});
afterAll(() => h.close());
afterEach(() => {
  mock.reset();
  mock.configure({ tokens: ['Hello', ',', ' world', '!'] });
});

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Splits a TGI SSE body into its data payloads, checking the exact framing on the way. */
function dataEvents(text: string): unknown[] {
  expect(text.endsWith('\n\n')).toBe(true);
  const blocks = text.slice(0, -2).split('\n\n');
  return blocks.map((b) => {
    expect(b.startsWith('data: ')).toBe(true);
    expect(b).not.toContain('\n');
    return JSON.parse(b.slice(6));
  });
}

describe('TGI-compatible API', () => {
  it('[ORCHD-TGI-1] /generate returns generated_text, details only when asked', async () => {
    const plain = await post('/generate', { inputs: 'Say hi', parameters: { max_new_tokens: 3 } });
    expect(plain.status).toBe(200);
    expect(await plain.json()).toEqual({ generated_text: 'Hello, world' });
    expect(mock.tasks.at(-1)).toMatchObject({ prompt: 'Say hi', max_tokens: 3 });

    const detailed = await post('/generate', {
      inputs: 'Say hi',
      parameters: { details: true, return_full_text: true, seed: 7, do_sample: true },
    });
    const body = (await detailed.json()) as Record<string, unknown>;
    expect(body.generated_text).toBe('Say hiHello, world!');
    expect(body.details).toEqual({
      finish_reason: 'eos_token',
      generated_tokens: 4,
      seed: 7,
      prefill: [],
      tokens: [
        { id: 101, text: 'Hello', logprob: -0.5, special: false },
        { id: 102, text: ',', logprob: -0.5, special: false },
        { id: 103, text: ' world', logprob: -0.5, special: false },
        { id: 104, text: '!', logprob: -0.5, special: false },
      ],
    });
    expect(detailed.headers.get('x-generated-tokens')).toBe('4');
  });

  it('[ORCHD-TGI-2] /generate_stream: data-only framing, 1-based index, generated_text last, no [DONE]', async () => {
    const res = await post('/generate_stream', {
      inputs: 'Say hi',
      parameters: { details: true, stop: ['world'] },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('event:');
    const events = dataEvents(text) as Array<Record<string, unknown>>;
    expect(events.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(events.slice(0, 3).map((e) => (e.token as { text: string }).text)).toEqual([
      'Hello',
      ',',
      ' world',
    ]);
    for (const e of events.slice(0, 3)) {
      expect(e.generated_text).toBeNull();
      expect(e.details).toBeNull();
      expect(Object.keys(e)).toEqual(['index', 'token', 'generated_text', 'details']);
    }
    const last = events[3]!;
    expect(last.token).toEqual({ id: 0, text: '', logprob: null, special: true });
    expect(last.generated_text).toBe('Hello, world');
    expect(last.details).toMatchObject({ finish_reason: 'stop_sequence', generated_tokens: 3 });
  });

  it('[ORCHD-TGI-2] a special last token (EOS) is the final event and carries generated_text', async () => {
    const res = await post('/generate_stream', {
      model: 'scripted',
      inputs: 'x',
      parameters: { details: true },
    });
    const events = dataEvents(await res.text()) as Array<Record<string, unknown>>;
    expect(events).toEqual([
      {
        index: 1,
        token: { id: 5, text: 'Hi', logprob: -0.25, special: false },
        generated_text: null,
        details: null,
      },
      {
        index: 2,
        token: { id: 2, text: '</s>', logprob: null, special: true },
        generated_text: 'Hi',
        details: { finish_reason: 'eos_token', generated_tokens: 2, seed: null, input_length: 1 },
      },
    ]);
  });

  it('[ORCHD-TGI-3] validation errors are 422 {error, error_type:validation} naming the parameter', async () => {
    const bad = await post('/generate', { inputs: 'x', parameters: { temperature: 0 } });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { error: string; error_type: string };
    expect(body.error_type).toBe('validation');
    expect(body.error).toBe('Input validation error: `temperature` must be strictly positive');

    const empty = await post('/generate_stream', { inputs: '' });
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as { error: string }).error).toContain('`inputs` cannot be empty');

    const dec = await post('/generate_stream', { inputs: 'x', parameters: { decoder_input_details: true } });
    expect(((await dec.json()) as { error: string }).error).toContain('decoder_input_details');
  });

  it('[ORCHD-TGI-4] a failure after the first token is an in-stream {error, error_type} and the stream ends', async () => {
    mock.configure({ failAfterTokens: { after: 2, error: mockError('UPSTREAM_ERROR', 'shard died', 502) } });
    const res = await post('/generate_stream', { inputs: 'x' });
    expect(res.status).toBe(200);
    const events = dataEvents(await res.text()) as Array<Record<string, unknown>>;
    expect(events).toHaveLength(3);
    expect(events[2]).toEqual({ error: 'shard died', error_type: 'generation' });
    expect(events.some((e) => e.generated_text)).toBe(false);
  });

  it('[ORCHD-TGI-8] compat POST / answers [GenerateResponse], or the stream with stream:true; /ping', async () => {
    const one = await post('/', { inputs: 'x', parameters: { max_new_tokens: 1 } });
    expect(await one.json()).toEqual([{ generated_text: 'Hello' }]);
    const streamed = await post('/', { inputs: 'x', stream: true, parameters: { max_new_tokens: 2 } });
    const events = dataEvents(await streamed.text()) as Array<Record<string, unknown>>;
    expect(events.at(-1)?.generated_text).toBe('Hello,');
    const bad = await post('/', { inputs: '' });
    expect(bad.status).toBe(422);
    expect((await fetch(`${h.url}/ping`)).status).toBe(200);
  });

  it('[ORCHD-TGI-5] /info describes the default model; /health is an empty 200', async () => {
    const info = (await (await fetch(`${h.url}/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ model_id: 'mock-model', max_total_tokens: 8192, max_input_tokens: 4096 });
    expect(typeof info.version).toBe('string');
    const health = await fetch(`${h.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('');
    expect(h.routes.find((r) => r.pattern === '/health')?.auth).toBe('public');

    const down = await startHarness(new MockOrchestrator({ adapters: { m: mock }, unready: true }), [
      tgiRoutes,
    ]);
    try {
      const r = await fetch(`${down.url}/health`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ error: 'unhealthy', error_type: 'healthcheck' });
    } finally {
      await down.close();
    }
  });
});

describe('compat error statuses', () => {
  it('[ORCHD-COMPAT-5] no ready replica is a 429 with Retry-After (never 503), so the HF client does not spin', async () => {
    const unready = new OrchError('OVERLOADED', 'pool default has no ready replica', {
      upstreamType: 'POOL_UNREADY',
      status: 503,
    });
    const down = await startHarness(new MockOrchestrator({ adapters: { m: mock }, rejectWith: unready }), [
      openaiRoutes,
      tgiRoutes,
    ]);
    try {
      const chat = await fetch(`${down.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(chat.status).toBe(429);
      expect(chat.headers.get('retry-after')).toBe('1');
      expect(((await chat.json()) as { error: { code: string } }).error.code).toBe('POOL_UNREADY');
      const gen = await fetch(`${down.url}/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: 'x' }),
      });
      expect(gen.status).toBe(429);
      expect(await gen.json()).toEqual({
        error: 'pool default has no ready replica',
        error_type: 'overloaded',
      });
      // @huggingface/inference would retry a 503 immediately and forever; a 429 reaches the caller.
      const err = await textGeneration({ endpointUrl: down.url, inputs: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InferenceClientProviderApiError);
      expect((err as InferenceClientProviderApiError).httpResponse.status).toBe(429);
    } finally {
      await down.close();
    }
  });

  it('[ORCHD-TGI-3] an engine failure before any token is a 424 generation error', async () => {
    mock.configure({ failBeforeStart: mockError('UPSTREAM_ERROR', 'shard failed', 502) });
    const res = await post('/generate_stream', { inputs: 'x' });
    expect(res.status).toBe(424);
    expect(await res.json()).toEqual({ error: 'shard failed', error_type: 'generation' });
  });
});

describe('@huggingface/inference with an endpointUrl at the daemon', () => {
  it('[ORCHD-TGI-6] textGeneration (posts to /v1/completions)', async () => {
    const out = await textGeneration({
      endpointUrl: h.url,
      inputs: 'Say hi',
      parameters: { max_new_tokens: 2, temperature: 0.7 },
    });
    expect(out.generated_text).toBe('Hello,');
    // The client sends the endpoint URL as the model: it means "the default model", not a model id.
    expect(mock.tasks.at(-1)).toMatchObject({ prompt: 'Say hi', max_tokens: 2, temperature: 0.7 });
    expect(mock.tasks.at(-1)?.model).toBeUndefined();
  });

  it('[ORCHD-TGI-6] textGenerationStream yields the completion chunks token by token', async () => {
    const texts: string[] = [];
    for await (const chunk of textGenerationStream({ endpointUrl: h.url, inputs: 'Say hi' })) {
      const c = chunk as unknown as { object: string; choices: Array<{ text: string }> };
      expect(c.object).toBe('text_completion');
      texts.push(c.choices[0]?.text ?? '');
    }
    expect(texts.filter((t) => t !== '')).toEqual(['Hello', ',', ' world', '!']);
  });

  it('[ORCHD-TGI-6] chatCompletion and chatCompletionStream', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const r = await chatCompletion({ endpointUrl: h.url, messages, max_tokens: 3 });
    expect(r.choices[0]?.message.content).toBe('Hello, world');
    let text = '';
    for await (const c of chatCompletionStream({ endpointUrl: h.url, messages })) {
      text += c.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('Hello, world!');
  });

  it('[ORCHD-TGI-6] errors surface as the client error with the message', async () => {
    const err = await textGeneration({
      endpointUrl: h.url,
      inputs: 'x',
      parameters: { temperature: 9 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InferenceClientProviderApiError);
    const { httpResponse } = err as InferenceClientProviderApiError;
    expect(httpResponse.status).toBe(400);
    expect(httpResponse.body).toMatchObject({
      error: { param: 'temperature', type: 'invalid_request_error' },
    });

    mock.configure({
      failAfterTokens: { after: 1, error: mockError('UPSTREAM_ERROR', 'replica lost', 502) },
    });
    const midStream = await (async () => {
      for await (const _ of textGenerationStream({ endpointUrl: h.url, inputs: 'x' })) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(midStream).toBeInstanceOf(InferenceClientProviderApiError);
    expect((midStream as Error).message).toContain('replica lost');
  });

  it('[ORCHD-TGI-7] aborting a textGenerationStream cancels the job at the engine', async () => {
    mock.configure({ hang: { afterTokens: 1 } });
    const controller = new AbortController();
    const aborted = mock.nextAbort();
    const seen: string[] = [];
    const run = (async () => {
      for await (const chunk of textGenerationStream(
        { endpointUrl: h.url, inputs: 'x' },
        { signal: controller.signal },
      )) {
        const c = chunk as unknown as { choices: Array<{ text: string }> };
        seen.push(c.choices[0]?.text ?? '');
        controller.abort();
      }
    })();
    await run.catch(() => undefined);
    await aborted;
    expect(seen).toEqual(['Hello']);
    expect(await orchestrator.jobs.at(-1)?.result).toMatchObject({ type: 'error', code: 'CANCELLED' });
  });
});
