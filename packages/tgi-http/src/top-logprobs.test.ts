import type { SourceEvent, TokenEvent, TokenTextEvent } from '@orch/adapter-api';
import { afterEach, describe, expect, it } from 'vitest';
import { caught } from './__fixtures__/caught.js';
import { JSON_CT, onPost, setup, sse, teardown } from './__fixtures__/mock-tgi.js';
import {
  CHAT_TOP_FRAMES,
  CHAT_TOP_JSON,
  GENERATE_TOP_FRAMES,
  GENERATE_TOP_JSON,
} from './__fixtures__/top-tokens.js';
import { parseGenerateStreamEvent } from './generate-stream-parser.js';
import { chatCompletionEvents, generateResponseEvents } from './non-stream-events.js';
import { OpenAiChatStreamParser } from './openai-chat-stream.js';
import { ChatCompletionSchema, GenerateResponseSchema } from './response-schemas.js';

afterEach(teardown);

function generateEvents(frames: string[]): SourceEvent[] {
  const out: SourceEvent[] = [];
  for (const f of frames) parseGenerateStreamEvent(f, out);
  return out;
}

const alternativesOf = (events: Array<SourceEvent | TokenEvent>) =>
  events.filter((e) => e.type === 'token').map((e) => (e as TokenTextEvent).top_logprobs);

const texts = (list: Array<{ text: string }> | undefined) => list?.map((a) => a.text);

describe('top-logprob alternatives from TGI', () => {
  it('[TGI-LOGPROB-1] /generate_stream top_tokens become the token’s top_logprobs (ties kept)', () => {
    const events = generateEvents(GENERATE_TOP_FRAMES);
    expect(events[0]).toEqual({
      type: 'token',
      text: 'Hi',
      token_id: 6324,
      logprob: -0.5,
      special: false,
      top_logprobs: [
        { id: 6324, text: 'Hi', logprob: -0.5, special: false },
        { id: 15043, text: 'Hello', logprob: -1.375, special: false },
      ],
    });
    expect(alternativesOf(events).map(texts)).toEqual([
      ['Hi', 'Hello'],
      ['!', '.', ','],
      ['</s>', '\n'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'end', text: 'Hi!' });
  });

  it('[TGI-LOGPROB-1] no top_tokens key (or an empty list) means no field; a malformed one is PROTOCOL', () => {
    const plain =
      '{"index":1,"token":{"id":1,"text":"a","logprob":-1,"special":false},"generated_text":null,"details":null}';
    expect(generateEvents([plain])[0]).not.toHaveProperty('top_logprobs');
    const empty = plain.replace('"generated_text"', '"top_tokens":[],"generated_text"');
    expect(generateEvents([empty])[0]).not.toHaveProperty('top_logprobs');
    const nanAlt = plain.replace(
      '"generated_text"',
      '"top_tokens":[{"id":1,"text":"a","logprob":null,"special":false}],"generated_text"',
    );
    expect(generateEvents([nanAlt])[0]).toMatchObject({ top_logprobs: [{ text: 'a', logprob: null }] });
    for (const bad of ['{"top":1}', '[{"id":1,"logprob":-1}]', '[{"text":"a","logprob":"x"}]']) {
      const err = caught(() =>
        generateEvents([plain.replace('"generated_text"', `"top_tokens":${bad},"generated_text"`)]),
      );
      expect(err.code).toBe('PROTOCOL');
    }
  });

  it('[TGI-LOGPROB-1] non-stream /generate details.top_tokens pair with details.tokens', () => {
    const body = GenerateResponseSchema.parse(JSON.parse(GENERATE_TOP_JSON));
    const events = generateResponseEvents(body, {});
    expect(alternativesOf(events).map(texts)).toEqual([
      ['Hi', 'Hello'],
      ['!', '.'],
      ['</s>', '\n'],
    ]);
    expect(alternativesOf(events)[2]?.[0]).toEqual({ id: 2, text: '</s>', logprob: -0.0625, special: true });
  });

  it('[TGI-LOGPROB-2] chat logprobs.content[0].top_logprobs become top_logprobs, stream and non-stream', () => {
    const parser = new OpenAiChatStreamParser();
    const tokens = CHAT_TOP_FRAMES.map((f) => parser.push(f)).filter((t) => t !== undefined);
    expect(tokens[0]).toEqual({
      type: 'token',
      text: 'Hi',
      logprob: -0.5,
      top_logprobs: [
        { text: 'Hi', logprob: -0.5 },
        { text: 'Hello', logprob: -1.375 },
      ],
    });
    expect(tokens.map((t) => texts(t.top_logprobs))).toEqual([
      ['Hi', 'Hello'],
      ['!', '.'],
    ]);
    const body = ChatCompletionSchema.parse(JSON.parse(CHAT_TOP_JSON));
    expect(alternativesOf(chatCompletionEvents(body)).map(texts)).toEqual([
      ['Hi', 'Hello'],
      ['!', '.'],
    ]);
  });

  it('[TGI-LOGPROB-2] chat top_logprobs: [] (only logprobs asked) means no field; a malformed one is PROTOCOL', () => {
    const frame = (lp: string) =>
      `{"object":"chat.completion.chunk","id":"","created":1,"model":"m","system_fingerprint":"3","choices":[{"index":0,"delta":{"role":"assistant","content":"a"},"logprobs":{"content":[${lp}]},"finish_reason":null}],"usage":null}`;
    const plain = new OpenAiChatStreamParser().push(frame('{"token":"a","logprob":-1,"top_logprobs":[]}'));
    expect(plain).toEqual({ type: 'token', text: 'a', logprob: -1 });
    const err = caught(() =>
      new OpenAiChatStreamParser().push(frame('{"token":"a","logprob":-1,"top_logprobs":[{"logprob":-1}]}')),
    );
    expect(err.code).toBe('PROTOCOL');
  });
});

describe('TgiHttpAdapter over MockAgent: alternatives', () => {
  it('[TGI-PARAM-6] [TGI-LOGPROB-1] top_logprobs → top_n_tokens on /generate_stream, alternatives on tokens', async () => {
    const s = setup();
    onPost(s, '/generate_stream', 200, sse(GENERATE_TOP_FRAMES));
    const events: TokenEvent[] = [];
    for await (const ev of s.adapter.submit({ prompt: 'Say hi', top_logprobs: 2 })) events.push(ev);
    expect(JSON.parse(s.bodies['/generate_stream']![0]!)).toMatchObject({ parameters: { top_n_tokens: 2 } });
    expect(alternativesOf(events).map(texts)).toEqual([
      ['Hi', 'Hello'],
      ['!', '.', ','],
      ['</s>', '\n'],
    ]);
  });

  it('[TGI-ROUTE-3] [TGI-LOGPROB-1] generate(stream:false) reads details.top_tokens from /generate', async () => {
    const s = setup();
    onPost(s, '/generate', 200, GENERATE_TOP_JSON, JSON_CT);
    const events: TokenEvent[] = [];
    const stream = s.adapter.submit({ prompt: 'Say hi', top_logprobs: 2, stream: false });
    for await (const ev of stream) events.push(ev);
    expect(JSON.parse(s.bodies['/generate']![0]!)).toMatchObject({ parameters: { top_n_tokens: 2 } });
    expect(alternativesOf(events).map(texts)).toEqual([
      ['Hi', 'Hello'],
      ['!', '.'],
      ['</s>', '\n'],
    ]);
  });

  it('[TGI-PARAM-6] [TGI-LOGPROB-2] chat sends logprobs: true + top_logprobs and reads the alternatives', async () => {
    const s = setup();
    onPost(s, '/v1/chat/completions', 200, sse(CHAT_TOP_FRAMES));
    onPost(s, '/v1/chat/completions', 200, CHAT_TOP_JSON, JSON_CT);
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const streamed: TokenEvent[] = [];
    for await (const ev of s.adapter.submit({ messages, top_logprobs: 2 })) streamed.push(ev);
    const oneShot: TokenEvent[] = [];
    for await (const ev of s.adapter.submit({ messages, top_logprobs: 2, stream: false })) oneShot.push(ev);
    for (const raw of s.bodies['/v1/chat/completions']!) {
      expect(JSON.parse(raw)).toMatchObject({ logprobs: true, top_logprobs: 2 });
    }
    for (const events of [streamed, oneShot]) {
      expect(alternativesOf(events).map(texts)).toEqual([
        ['Hi', 'Hello'],
        ['!', '.'],
      ]);
    }
  });
});
