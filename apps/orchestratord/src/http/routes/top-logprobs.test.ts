// Top-logprob alternatives in each compat protocol's own shape, over MockAdapter engines (which answer
// `top_logprobs: N` with the token itself, then ` alt1`, ` alt2`, …) and one scripted engine.
import { MockAdapter } from '@orch/adapter-api/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockOrchestrator } from './__test-utils__/mock-orchestrator.js';
import { type Harness, startHarness } from './__test-utils__/route-harness.js';
import { ScriptedAdapter } from './__test-utils__/scripted-adapter.js';
import { streamedTopTokens } from './__test-utils__/tgi-daemon.js';
import { openaiRoutes } from './openai.js';
import { tgiRoutes } from './tgi.js';

const mock = new MockAdapter({ model: 'mock-model' });
// An engine that returns more alternatives than asked (TGI does on ties) and a NaN logprob.
const generous = new ScriptedAdapter([
  {
    type: 'token',
    text: 'Hi',
    token_id: 5,
    logprob: -0.25,
    top_logprobs: [
      { id: 5, text: 'Hi', logprob: -0.25 },
      { id: 6, text: 'Hey', logprob: null },
      { id: 7, text: 'Yo', logprob: -3 },
    ],
  },
  {
    type: 'token',
    text: '</s>',
    token_id: 2,
    logprob: null,
    special: true,
    top_logprobs: [{ id: 2, text: '</s>', logprob: -0.1, special: true }],
  },
  { type: 'end', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 2 } },
]);
const orchestrator = new MockOrchestrator({ adapters: { 'mock-model': mock, generous } });
let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  h = await startHarness(orchestrator, [openaiRoutes, tgiRoutes]);
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(() => h.close());

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const bytes = (s: string) => [...Buffer.from(s, 'utf8')];
const dataOf = (text: string) =>
  text
    .trim()
    .split('\n\n')
    .map((b) => b.slice(6))
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d) as Record<string, unknown>);

describe('chat: logprobs.content[i].top_logprobs', () => {
  const messages = [{ role: 'user' as const, content: 'hi' }];

  it('[ORCHD-OAI-10] non-stream: N alternatives per token, {token, logprob, bytes}', async () => {
    const r = await client.chat.completions.create({
      model: 'mock-model',
      messages,
      max_tokens: 2,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(r.choices[0]?.logprobs?.content).toEqual([
      {
        token: 'Hello',
        logprob: -0.5,
        bytes: bytes('Hello'),
        top_logprobs: [
          { token: 'Hello', logprob: -0.5, bytes: bytes('Hello') },
          { token: ' alt1', logprob: -1.5, bytes: bytes(' alt1') },
        ],
      },
      {
        token: ',',
        logprob: -0.5,
        bytes: bytes(','),
        top_logprobs: [
          { token: ',', logprob: -0.5, bytes: bytes(',') },
          { token: ' alt1', logprob: -1.5, bytes: bytes(' alt1') },
        ],
      },
    ]);
    expect(mock.tasks.at(-1)).toMatchObject({ logprobs: true, top_logprobs: 2 });
  });

  it('[ORCHD-OAI-10] stream: each content chunk carries its token’s alternatives', async () => {
    expect(await streamedTopTokens(client, 'mock-model')).toEqual([
      ['Hello', ' alt1', ' alt2'],
      [',', ' alt1', ' alt2'],
      [' world', ' alt1', ' alt2'],
    ]);
  });

  it('[ORCHD-OAI-10] only what was asked: cut to top_logprobs, [] without it, nothing without logprobs', async () => {
    const cut = await client.chat.completions.create({
      model: 'generous',
      messages,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(cut.choices[0]?.logprobs?.content?.[0]?.top_logprobs).toEqual([
      { token: 'Hi', logprob: -0.25, bytes: bytes('Hi') },
      // OpenAI has no null logprob: an engine's NaN is its -9999 floor.
      { token: 'Hey', logprob: -9999, bytes: bytes('Hey') },
    ]);
    const none = await client.chat.completions.create({ model: 'generous', messages, logprobs: true });
    expect(none.choices[0]?.logprobs?.content?.[0]?.top_logprobs).toEqual([]);
    const notAsked = await client.chat.completions.create({ model: 'mock-model', messages, top_logprobs: 2 });
    expect(notAsked.choices[0]?.logprobs).toBeNull();
    // Without logprobs: true the engine is not asked to compute alternatives either.
    expect(mock.tasks.at(-1)).not.toHaveProperty('top_logprobs');
  });
});

describe('completions: logprobs.top_logprobs', () => {
  it('[ORCHD-OAI-4] [ORCHD-OAI-10] logprobs: n → n alternatives plus the sampled token, per position', async () => {
    const r = await client.completions.create({
      model: 'mock-model',
      prompt: 'x',
      max_tokens: 2,
      logprobs: 2,
    });
    expect(r.choices[0]?.logprobs).toEqual({
      tokens: ['Hello', ','],
      token_logprobs: [-0.5, -0.5],
      top_logprobs: [
        { Hello: -0.5, ' alt1': -1.5 },
        { ',': -0.5, ' alt1': -1.5 },
      ],
      text_offset: [0, 5],
    });
    expect(mock.tasks.at(-1)).toMatchObject({ logprobs: true, top_logprobs: 2 });
    const res = await post('/v1/completions', {
      model: 'mock-model',
      prompt: 'x',
      max_tokens: 2,
      logprobs: 1,
      stream: true,
    });
    const tops = dataOf(await res.text())
      .map((c) => (c.choices as Array<{ logprobs: { top_logprobs: unknown[] } | null }>)[0]?.logprobs)
      .filter((lp) => lp !== null)
      .map((lp) => lp?.top_logprobs);
    expect(tops).toEqual([[{ Hello: -0.5 }], [{ ',': -0.5 }]]);
  });

  it('[ORCHD-OAI-10] the sampled token is added when the engine’s alternatives miss it; extras are cut', async () => {
    const r = await client.completions.create({ model: 'generous', prompt: 'x', logprobs: 1 });
    expect(r.choices[0]?.logprobs?.top_logprobs).toEqual([{ Hi: -0.25 }]);
    const two = await client.completions.create({ model: 'generous', prompt: 'x', logprobs: 2 });
    expect(two.choices[0]?.logprobs?.top_logprobs).toEqual([{ Hi: -0.25, Hey: -9999 }]);
  });
});

describe('TGI: top_tokens', () => {
  it('[ORCHD-TGI-1] [ORCHD-TGI-9] /generate: details.top_tokens, one TGI Token list per token', async () => {
    const res = await post('/generate', {
      inputs: 'x',
      parameters: { max_new_tokens: 2, details: true, top_n_tokens: 2 },
    });
    const body = (await res.json()) as { details: Record<string, unknown> };
    expect(Object.keys(body.details)).toEqual([
      'finish_reason',
      'generated_tokens',
      'seed',
      'prefill',
      'tokens',
      'top_tokens',
    ]);
    expect(body.details.top_tokens).toEqual([
      [
        { id: 101, text: 'Hello', logprob: -0.5, special: false },
        { id: 901, text: ' alt1', logprob: -1.5, special: false },
      ],
      [
        { id: 102, text: ',', logprob: -0.5, special: false },
        { id: 901, text: ' alt1', logprob: -1.5, special: false },
      ],
    ]);
    expect(mock.tasks.at(-1)).toMatchObject({ top_logprobs: 2 });
    const plain = (await (
      await post('/generate', { inputs: 'x', parameters: { details: true } })
    ).json()) as {
      details: Record<string, unknown>;
    };
    expect(plain.details).not.toHaveProperty('top_tokens');
  });

  it('[ORCHD-TGI-2] [ORCHD-TGI-9] /generate_stream: top_tokens after token, kept with a held EOS, none on the synthetic end', async () => {
    const text = await (
      await post('/generate_stream', { inputs: 'x', parameters: { max_new_tokens: 2, top_n_tokens: 1 } })
    ).text();
    const events = dataOf(text);
    expect(Object.keys(events[0]!)).toEqual(['index', 'token', 'top_tokens', 'generated_text', 'details']);
    expect(events.map((e) => e.top_tokens)).toEqual([
      [{ id: 101, text: 'Hello', logprob: -0.5, special: false }],
      [{ id: 102, text: ',', logprob: -0.5, special: false }],
      undefined,
    ]);
    const generousText = await (
      await post('/generate_stream', { inputs: 'x', model: 'generous', parameters: { top_n_tokens: 3 } })
    ).text();
    const [first, eos] = dataOf(generousText);
    expect(first?.top_tokens).toEqual([
      { id: 5, text: 'Hi', logprob: -0.25, special: false },
      { id: 6, text: 'Hey', logprob: null, special: false },
      { id: 7, text: 'Yo', logprob: -3, special: false },
    ]);
    // The held EOS is the last event and keeps its own alternatives.
    expect(eos).toMatchObject({
      token: { text: '</s>', special: true },
      top_tokens: [{ id: 2, text: '</s>', logprob: -0.1, special: true }],
      generated_text: 'Hi',
    });
    const plain = dataOf(await (await post('/generate_stream', { inputs: 'x' })).text());
    expect(plain.some((e) => 'top_tokens' in e)).toBe(false);
  });

  it('[ORCHD-TGI-3] [ORCHD-TGI-9] top_n_tokens over 20 is a 422 in TGI’s words', async () => {
    const res = await post('/generate', { inputs: 'x', parameters: { top_n_tokens: 21 } });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: 'Input validation error: `top_n_tokens` must be >= 0 and <= 20. Given: 21',
      error_type: 'validation',
    });
  });
});
