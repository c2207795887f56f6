import { chatCompletion, chatCompletionStream } from '@huggingface/inference';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeRouter, startFakeRouter } from './fake-router.js';

let fake: FakeRouter;

beforeEach(async () => {
  fake = await startFakeRouter();
});

afterEach(async () => {
  await fake.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await request(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

const dataLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => l.slice(6));

describe('the fake router itself', () => {
  it('[HF-FAKE-1] @huggingface/inference reads its chat stream and completion (a real peer)', async () => {
    let text = '';
    for await (const chunk of chatCompletionStream({
      endpointUrl: fake.url,
      model: 'org/m',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
    })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Hello, world!');
    const out = await chatCompletion({
      endpointUrl: fake.url,
      model: 'org/m',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 2,
    });
    expect(out.choices[0]?.message.content).toBe('Hello,');
    expect(out.choices[0]?.finish_reason).toBe('length');
  });

  it('[HF-FAKE-2] streams end with [DONE]; the usage chunk only when include_usage is asked', async () => {
    const base = {
      model: 'org/m',
      messages: [{ role: 'user', content: 'a b c' }],
      stream: true,
      max_tokens: 3,
    };
    const plain = dataLines((await post('/v1/chat/completions', base)).text);
    expect(plain.at(-1)).toBe('[DONE]');
    expect(plain.some((d) => d.includes('"usage"'))).toBe(false);
    const withUsage = dataLines(
      (await post('/v1/chat/completions', { ...base, stream_options: { include_usage: true } })).text,
    );
    const usage = JSON.parse(withUsage.at(-2)!) as { choices: unknown[]; usage: Record<string, number> };
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
  });

  it('[HF-FAKE-3] serverless: 503 loading body, skipped by wait_for_model; [{generated_text}] answers', async () => {
    fake.fault({ kind: 'loading', estimatedTime: 12.5 });
    const loading = await post('/models/org/m', { inputs: 'x' });
    expect(loading.status).toBe(503);
    expect(JSON.parse(loading.text)).toEqual({
      error: 'Model org/m is currently loading',
      estimated_time: 12.5,
    });
    fake.fault({ kind: 'loading', estimatedTime: 12.5 });
    const waited = await post('/models/org/m', {
      inputs: 'x',
      parameters: { max_new_tokens: 2 },
      options: { wait_for_model: true },
    });
    expect(JSON.parse(waited.text)).toEqual([{ generated_text: 'Hello,' }]);
  });

  it('[HF-FAKE-4] records requests and sees a client leave mid-stream', async () => {
    fake.fault({ kind: 'hang', afterTokens: 1 });
    const aborted = fake.nextAbort();
    const ac = new AbortController();
    const res = await request(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hf-bill-to': 'org' },
      body: JSON.stringify({ model: 'org/m', messages: [{ role: 'user', content: 'x' }], stream: true }),
      signal: ac.signal,
    });
    res.body.once('data', () => ac.abort());
    res.body.on('error', () => {});
    await aborted;
    expect(fake.aborts).toBe(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', aborted: true });
    expect(fake.requests[0]?.headers['x-hf-bill-to']).toBe('org');
  });
  it('[HF-FAKE-5] logprobs: true adds OpenAI logprobs (bytes, top_logprobs), stream and non-stream', async () => {
    const base = { model: 'org/m', messages: [{ role: 'user', content: 'x' }], max_tokens: 2 };
    const asked = { ...base, logprobs: true, top_logprobs: 2 };
    const out = await chatCompletion({ endpointUrl: fake.url, ...asked });
    expect(out.choices[0]?.logprobs?.content?.[0]).toEqual({
      token: 'Hello',
      logprob: -0.5,
      bytes: [72, 101, 108, 108, 111],
      top_logprobs: [
        { token: 'Hello', logprob: -0.5, bytes: [72, 101, 108, 108, 111] },
        { token: ' alt1', logprob: -1.5, bytes: [32, 97, 108, 116, 49] },
      ],
    });
    const chunks = dataLines((await post('/v1/chat/completions', { ...asked, stream: true })).text)
      .filter((d) => d !== '[DONE]')
      .map((d) => JSON.parse(d) as { choices: Array<{ logprobs: { content: unknown[] } | null }> });
    expect(chunks.map((c) => c.choices[0]?.logprobs?.content.length ?? 0)).toEqual([0, 1, 1, 0]);
    const plain = await post('/v1/chat/completions', { ...base, top_logprobs: 2 });
    const body = JSON.parse(plain.text) as { choices: Array<{ logprobs: unknown }> };
    expect(body.choices[0]?.logprobs).toBeNull();
  });
});
