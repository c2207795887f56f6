import { isOrchError } from '@orch/adapter-api';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HfInferenceAdapter } from './hf-inference-adapter.js';

const ORIGIN = 'https://router.huggingface.co';
let agent: MockAgent;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});

afterEach(async () => {
  await agent.close();
});

const sse = (...payloads: string[]) => payloads.map((p) => `data: ${p}\n\n`).join('');
const chunk = (delta: string, finish = 'null') =>
  `{"id":"x","object":"chat.completion.chunk","model":"org/m","choices":[{"index":0,"delta":${delta},"finish_reason":${finish}}]}`;

describe('unit: HfInferenceAdapter over a MockAgent dispatcher (no sockets)', () => {
  it('[HF-ROUTER-1] uses the default router URL and parses an OpenAI stream', async () => {
    let seenBody = '';
    let seenHeaders: Record<string, string> = {};
    agent
      .get(ORIGIN)
      .intercept({
        path: '/v1/chat/completions',
        method: 'POST',
        body: (b) => {
          seenBody = b;
          return true;
        },
        headers: (h) => {
          seenHeaders = h as Record<string, string>;
          return true;
        },
      })
      .reply(
        200,
        sse(
          chunk('{"role":"assistant","content":""}'),
          chunk('{"content":"Hi"}'),
          chunk('{"content":" there"}'),
          chunk('{}', '"stop"'),
          '{"id":"x","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
          '[DONE]',
        ),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    const a = new HfInferenceAdapter({
      model: 'org/m',
      apiKey: 'hf_unit',
      dispatcher: agent,
      billTo: 'team',
    });
    const r = await a.generate({ prompt: 'hello' });
    expect(r).toMatchObject({
      text: 'Hi there',
      finish_reason: 'stop',
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
    expect(JSON.parse(seenBody)).toMatchObject({
      model: 'org/m',
      messages: [{ role: 'user', content: 'hello' }],
    });
    const lower = Object.fromEntries(Object.entries(seenHeaders).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower.authorization).toBe('Bearer hf_unit');
    expect(lower['x-hf-bill-to']).toBe('team');
    await a.close();
    agent.assertNoPendingInterceptors();
  });

  it('[HF-ERR-1] a 401 is not retried', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/v1/chat/completions', method: 'POST' })
      .reply(
        401,
        { error: 'Invalid username or password.' },
        { headers: { 'content-type': 'application/json' } },
      );
    const a = new HfInferenceAdapter({ model: 'org/m', apiKey: 'hf_bad', dispatcher: agent });
    const err = await a.generate({ prompt: 'x' }).catch((e: unknown) => e);
    expect(isOrchError(err) && [err.code, err.retriable, err.message]).toEqual([
      'UNAUTHORIZED',
      false,
      'Invalid username or password.',
    ]);
    await a.close();
  });

  it('[HF-SL-1] serverless mode defaults to the hf-inference base path', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/hf-inference/models/org/m', method: 'POST' })
      .reply(
        200,
        [{ generated_text: 'done', details: { finish_reason: 'eos_token', generated_tokens: 1 } }],
        {
          headers: { 'content-type': 'application/json' },
        },
      );
    const a = new HfInferenceAdapter({ model: 'org/m', mode: 'serverless', dispatcher: agent });
    const r = await a.generate({ prompt: 'x' }, { stream: false });
    expect(r).toMatchObject({ text: 'done', finish_reason: 'stop', usage: { completion_tokens: 1 } });
    await a.close();
  });
});
