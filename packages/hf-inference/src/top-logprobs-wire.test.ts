import type { TokenEvent, TokenTextEvent } from '@orch/adapter-api';
import { type FakeTgi, startFakeTgi } from '@orch/fake-tgi';
import { describe, expect, it } from 'vitest';
import { adapterHarness, collect } from './__fixtures__/adapter-harness.js';
import { type FakeRouter, startFakeRouter } from './testing/fake-router.js';

// Both fakes answer alternatives the same way: the token itself first, then ` alt1`, ` alt2`, …

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

const tokensOf = (events: TokenEvent[]): TokenTextEvent[] =>
  events.filter((e): e is TokenTextEvent => e.type === 'token' && e.special !== true);

function expectAlternatives(events: TokenEvent[], n: number): void {
  const tokens = tokensOf(events);
  expect(tokens.length).toBeGreaterThan(0);
  for (const t of tokens) {
    expect(t.top_logprobs?.map((a) => a.text)).toEqual([
      t.text,
      ...Array.from({ length: n - 1 }, (_, k) => ` alt${k + 1}`),
    ]);
  }
  expect(events.at(-1)?.type).toBe('end');
}

describe('router mode: alternatives through the shared OpenAI chat parser', () => {
  let router: FakeRouter;
  const make = adapterHarness(
    async () => (router = await startFakeRouter({ models: [MODEL] })),
    (server) => ({ model: MODEL, baseUrl: server.url, retry: false }),
  );
  const lastBody = () => router.requests.at(-1)?.body as Record<string, unknown>;

  it('[HF-ROUTER-7] [HF-ROUTER-9] a stream carries each token’s top_logprobs', async () => {
    const events = await collect(make().submit({ prompt: 'hi', max_tokens: 4, top_logprobs: 3 }));
    expect(lastBody()).toMatchObject({ logprobs: true, top_logprobs: 3, stream: true });
    expectAlternatives(events, 3);
    expect(tokensOf(events)[0]?.top_logprobs?.[1]).toEqual({ text: ' alt1', logprob: -1.5 });
  });

  it('[HF-ROUTER-6] [HF-ROUTER-9] generate({stream:false}) reads them from choices[0].logprobs.content', async () => {
    const events = await collect(
      make().submit({ prompt: 'hi', max_tokens: 3, top_logprobs: 2, stream: false }),
    );
    expect(lastBody()).toMatchObject({ logprobs: true, top_logprobs: 2 });
    expectAlternatives(events, 2);
  });

  it('[HF-ROUTER-9] logprobs alone asks for no alternatives and gets none', async () => {
    const events = await collect(make().submit({ prompt: 'hi', max_tokens: 2, logprobs: true }));
    expect(lastBody()).not.toHaveProperty('top_logprobs');
    const tokens = tokensOf(events);
    expect(tokens.every((t) => t.logprob === -0.5 && t.top_logprobs === undefined)).toBe(true);
  });
});

describe('endpoint mode: alternatives re-emitted from the inner TGI adapter', () => {
  let tgi: FakeTgi;
  const make = adapterHarness(
    async () => (tgi = await startFakeTgi({ tokens: { count: 4 } })),
    (server) => ({ model: 'fake-org/fake-model', mode: 'endpoint', baseUrl: server.url, retry: false }),
  );

  it('[HF-EP-1] [HF-ROUTER-9] top_n_tokens reach TGI and top_tokens come back on the outer stream', async () => {
    const events = await collect(make().submit({ prompt: 'hi', top_logprobs: 2 }));
    expect(tgi.requests.at(-1)?.body).toMatchObject({ parameters: { top_n_tokens: 2 } });
    expectAlternatives(events, 2);
  });

  it('[HF-EP-1] [HF-ROUTER-9] a one-shot call re-emits /generate per token, alternatives included', async () => {
    const events = await collect(make().submit({ prompt: 'hi', top_logprobs: 2, stream: false }));
    expect(tgi.requests.at(-1)?.path).toBe('/generate');
    expect(tgi.requests.at(-1)?.body).toMatchObject({ parameters: { top_n_tokens: 2 } });
    expectAlternatives(events, 2);
  });
});
