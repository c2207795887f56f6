// Full stack for top-logprob alternatives: real clients (the openai SDK, @orch/client, raw TGI SSE) →
// the daemon → tgi-http → fake TGI on loopback, which answers with TGI's own top_tokens / top_logprobs
// (the token itself first, then ` alt1`, ` alt2`, … one nat lower each).
import { OrchClient } from '@orch/client';
import type { FakeTgi } from '@orch/fake-tgi';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../daemon.js';
import { startTgiDaemon, streamedTopTokens, TGI_MODEL } from './__test-utils__/tgi-daemon.js';

let tgi: FakeTgi;
let d: Daemon;
let client: OpenAI;

beforeAll(async () => {
  ({ tgi, d } = await startTgiDaemon());
  client = new OpenAI({ baseURL: `${d.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await d.close(0);
  await tgi.close();
});
afterEach(() => tgi.reset());

const upstream = (path: string) => tgi.requests.filter((r) => r.path === path).at(-1)?.body;
const messages = [{ role: 'user' as const, content: 'hi' }];
const model = TGI_MODEL;

describe('alternatives end to end over a TGI replica', () => {
  it('[ORCHD-OAI-E2E] [ORCHD-OAI-10] the openai SDK reads top_logprobs from chat, non-stream and stream', async () => {
    const r = await client.chat.completions.create({ model, messages, logprobs: true, top_logprobs: 2 });
    expect(upstream('/v1/chat/completions')).toMatchObject({ logprobs: true, top_logprobs: 2 });
    expect(r.choices[0]?.message.content).toBe('Hello there!');
    const content = r.choices[0]?.logprobs?.content ?? [];
    expect(
      content.slice(0, 3).map((c) => [c.token, c.logprob, c.top_logprobs.map((t) => [t.token, t.logprob])]),
    ).toEqual([
      [
        'Hello',
        -0.1,
        [
          ['Hello', -0.1],
          [' alt1', -1.1],
        ],
      ],
      [
        ' there',
        -0.2,
        [
          [' there', -0.2],
          [' alt1', -1.2],
        ],
      ],
      [
        '!',
        -0.3,
        [
          ['!', -0.3],
          [' alt1', -1.3],
        ],
      ],
    ]);

    expect(await streamedTopTokens(client, model)).toEqual([
      ['Hello', ' alt1', ' alt2'],
      [' there', ' alt1', ' alt2'],
      ['!', ' alt1', ' alt2'],
    ]);
  });

  it('[ORCHD-OAI-E2E] [ORCHD-OAI-10] completions logprobs: n is top_n_tokens upstream, a map per token', async () => {
    // A non-stream OpenAI call is a one-shot call upstream too: TGI's /generate, details.top_tokens.
    const r = await client.completions.create({ model, prompt: 'hi', logprobs: 2 });
    expect(upstream('/generate')).toMatchObject({ parameters: { top_n_tokens: 2 } });
    expect(r.choices[0]?.logprobs?.top_logprobs).toEqual([
      { Hello: -0.1, ' alt1': -1.1 },
      { ' there': -0.2, ' alt1': -1.2 },
      { '!': -0.3, ' alt1': -1.3 },
    ]);
  });

  it('[ORCHD-TGI-E2E] [ORCHD-TGI-9] /generate_stream relays top_tokens, the engine EOS last with its own', async () => {
    const res = await fetch(`${d.url}/generate_stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: 'Hi', parameters: { top_n_tokens: 2 } }),
    });
    const events = (await res.text())
      .trim()
      .split('\n\n')
      .map(
        (b) => JSON.parse(b.slice(6)) as { token: { text: string }; top_tokens?: Array<{ text: string }> },
      );
    expect(events.map((e) => [e.token.text, e.top_tokens?.map((t) => t.text)])).toEqual([
      ['Hello', ['Hello', ' alt1']],
      [' there', [' there', ' alt1']],
      ['!', ['!', ' alt1']],
      ['</s>', ['</s>', ' alt1']],
    ]);
  });

  it('[ORCHD-API-2] [ADAPTER-LOGPROB-1] native /v2 token events carry top_logprobs (read by @orch/client)', async () => {
    const orch = new OrchClient({ baseUrl: d.url });
    const tokens: Array<[string, string[] | undefined]> = [];
    for await (const ev of orch.stream({ prompt: 'hi', top_logprobs: 2 })) {
      if (ev.type === 'token') tokens.push([ev.text, ev.top_logprobs?.map((t) => t.text)]);
    }
    expect(tokens.slice(0, 3)).toEqual([
      ['Hello', ['Hello', ' alt1']],
      [' there', [' there', ' alt1']],
      ['!', ['!', ' alt1']],
    ]);
    const plain: boolean[] = [];
    for await (const ev of orch.stream({ prompt: 'hi', logprobs: true })) {
      if (ev.type === 'token') plain.push('top_logprobs' in ev);
    }
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((has) => !has)).toBe(true);
  });
});
