import { isOrchError, type TokenEvent, type TokenTextEvent } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { adapter, collect, last, lastRequest, useFakeTgi } from './__fixtures__/wire.js';

// Against @orch/fake-tgi on loopback: it answers top_n_tokens / top_logprobs with the token itself
// first, then ` alt1`, ` alt2`, … (fake-tgi README), in TGI's own framing for each route.

useFakeTgi();

const tokensOf = (events: TokenEvent[]): TokenTextEvent[] =>
  events.filter((e): e is TokenTextEvent => e.type === 'token');

function expectAlternatives(events: TokenEvent[], n: number): void {
  const tokens = tokensOf(events).filter((t) => !t.special);
  expect(tokens.length).toBeGreaterThan(0);
  for (const t of tokens) {
    expect(t.top_logprobs).toHaveLength(n);
    expect(t.top_logprobs?.[0]).toMatchObject({ text: t.text, logprob: t.logprob });
    expect(t.top_logprobs?.slice(1).map((a) => a.text)).toEqual(
      Array.from({ length: n - 1 }, (_, k) => ` alt${k + 1}`),
    );
  }
  expect(last(events).type).toBe('end');
}

describe('alternatives over the wire (fake TGI)', () => {
  it('[TGI-LOGPROB-1] /generate_stream: top_n_tokens sent, every token carries its top_tokens', async () => {
    const events = await collect(adapter().submit({ prompt: 'a b', max_tokens: 4, top_logprobs: 3 }));
    expect(lastRequest('/generate_stream').body).toMatchObject({ parameters: { top_n_tokens: 3 } });
    expectAlternatives(events, 3);
    expect(tokensOf(events)[0]?.top_logprobs?.[1]).toMatchObject({ id: 5001, special: false });
  });

  it('[TGI-LOGPROB-1] [TGI-ROUTE-3] non-stream /generate: details.top_tokens per token', async () => {
    const events = await collect(
      adapter().submit({ prompt: 'a b', max_tokens: 4, top_logprobs: 2, stream: false }),
    );
    expect(lastRequest('/generate').body).toMatchObject({ parameters: { top_n_tokens: 2, details: true } });
    expectAlternatives(events, 2);
  });

  it('[TGI-LOGPROB-2] chat stream and non-stream: logprobs.content[].top_logprobs', async () => {
    const a = adapter();
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const streamed = await collect(a.submit({ messages, max_tokens: 4, top_logprobs: 2 }));
    expect(lastRequest('/v1/chat/completions').body).toMatchObject({ logprobs: true, top_logprobs: 2 });
    expectAlternatives(streamed, 2);
    const oneShot = await collect(a.submit({ messages, max_tokens: 4, top_logprobs: 2, stream: false }));
    expectAlternatives(oneShot, 2);
  });

  it('[TGI-LOGPROB-1] logprobs alone asks for no alternatives and gets none', async () => {
    const a = adapter();
    const gen = await collect(a.submit({ prompt: 'a', max_tokens: 2, logprobs: true }));
    expect(lastRequest('/generate_stream').body).not.toHaveProperty('parameters.top_n_tokens');
    const chat = await collect(
      a.submit({ messages: [{ role: 'user', content: 'a' }], max_tokens: 2, logprobs: true }),
    );
    expect(lastRequest('/v1/chat/completions').body).not.toHaveProperty('top_logprobs');
    for (const t of [...tokensOf(gen), ...tokensOf(chat)]) expect(t.top_logprobs).toBeUndefined();
  });

  it('[TGI-ERR-1] more alternatives than TGI allows (max_top_n_tokens 5) is INVALID_REQUEST, not retried', async () => {
    const result = await adapter()
      .generate({ prompt: 'a', top_logprobs: 6 })
      .catch((e: unknown) => e);
    expect(isOrchError(result) && [result.code, result.retriable]).toEqual(['INVALID_REQUEST', false]);
    expect(isOrchError(result) && result.message).toContain('`top_n_tokens` must be >= 0 and <= 5');
  });
});
