import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTgi } from './fake-tgi.js';
import { headerOf, rawRequest, sseData } from './raw-http.js';
import type { FakeTgi } from './types.js';

let tgi: FakeTgi;
beforeAll(async () => {
  tgi = await startFakeTgi({ tokens: { count: 3 } });
});
afterAll(() => tgi.close());

const complete = (body: Record<string, unknown>) => rawRequest(`${tgi.url}/v1/completions`, { body });

describe('POST /v1/completions', () => {
  it('[FAKE-COMP-1] stream: finish_reason "" without usage, then eos_token with usage, then [DONE]', async () => {
    const r = await complete({ prompt: 'hello', stream: true });
    const data = sseData(r.body.toString());
    expect(data.at(-1)).toBe('[DONE]');
    expect(data[0]).toMatch(
      /^\{"object":"text_completion","id":"","created":\d+,"choices":\[\{"index":0,"text":" tok0","logprobs":null,"finish_reason":""\}\],"model":"fake-org\/fake-model","system_fingerprint":"3\.3\.6-dev0-native"\}$/,
    );
    const last = JSON.parse(data.at(-2)!) as Record<string, unknown> & {
      choices: { text: string; finish_reason: string }[];
    };
    expect(Object.keys(last)).toEqual([
      'object',
      'id',
      'created',
      'choices',
      'model',
      'system_fingerprint',
      'usage',
    ]);
    expect(last.choices[0]).toMatchObject({ text: '', finish_reason: 'eos_token' });
    expect(last.usage).toEqual({ prompt_tokens: 1, completion_tokens: 4, total_tokens: 5 });
  });

  it('[FAKE-COMP-2] several prompts interleave; each prompt ends with its own usage', async () => {
    const r = await complete({ prompt: ['a #tokens=1', 'b c #tokens=2'], stream: true, max_tokens: 5 });
    const evs = sseData(r.body.toString())
      .slice(0, -1)
      .map((d) => JSON.parse(d) as { choices: { index: number; finish_reason: string }[]; usage?: unknown });
    expect(evs.map((e) => e.choices[0]!.index)).toEqual([0, 1, 1]);
    expect(evs.map((e) => e.choices[0]!.finish_reason)).toEqual(['length', '', 'length']);
    expect(evs.filter((e) => e.usage !== undefined)).toHaveLength(2);
  });

  it('[FAKE-COMP-3] non-stream: choices in completion order, finish stop for EOS, no x-compute-time', async () => {
    const r = await complete({ prompt: ['long', 'short #tokens=1'] });
    const body = JSON.parse(r.body.toString()) as Record<string, unknown> & {
      choices: { index: number; text: string; finish_reason: string }[];
    };
    expect(Object.keys(body)).toEqual([
      'object',
      'id',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(body.choices.map((c) => c.index)).toEqual([1, 0]);
    expect(body.choices[1]).toEqual({
      index: 0,
      text: ' tok0 tok1 tok2',
      logprobs: null,
      finish_reason: 'stop',
    });
    expect(headerOf(r, 'x-compute-time')).toBeUndefined();
    expect(headerOf(r, 'x-generated-tokens')).toBe('5');
  });

  it('[FAKE-COMP-4] suffix, too many prompts, empty prompt array', async () => {
    const suffix = await complete({ prompt: 'a', suffix: 'b' });
    expect(suffix.status).toBe(422);
    expect(JSON.parse(suffix.body.toString()).error_type).toBe('suffix not supported');
    const many = await complete({ prompt: ['a', 'b', 'c', 'd', 'e'] });
    expect(JSON.parse(many.body.toString()).error_type).toBe('batch size exceeded');
    const empty = await complete({ prompt: [] });
    expect(empty.status).toBe(422);
    expect(headerOf(empty, 'content-type')).toBe('text/plain; charset=utf-8');
  });

  it('[FAKE-COMP-5] validation errors in a completions stream use the OpenAI error shape', async () => {
    const r = await complete({ prompt: 'a', stream: true, top_p: 1 });
    expect(r.body.toString()).toBe(
      'data: {"error":{"message":"Input validation error: `top_p` must be > 0.0 and < 1.0","http_status_code":422}}\n\ndata: [DONE]\n\n',
    );
  });
});
