import { chatCompletionStream } from '@huggingface/inference';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { HfInferenceAdapter } from '../hf-inference-adapter.js';

/** Consumes one stream of `tokens` tokens and resolves with the number of content tokens seen. */
export interface Contender {
  name: string;
  run(tokens: number): Promise<number>;
  close(): Promise<void>;
}

const MODEL = 'bench/model';
const messages = (n: number) => [{ role: 'user' as const, content: `bench #tokens=${n}` }];

/** orch's adapter in router mode: validation, http-util, the shared chat parser, TokenStream invariants. */
export function adapterContender(url: string): Contender {
  const adapter = new HfInferenceAdapter({ model: MODEL, baseUrl: url, retry: false, connections: 32 });
  return {
    name: 'orch HfInferenceAdapter',
    async run(n) {
      let count = 0;
      for await (const ev of adapter.submit({ messages: messages(n), max_tokens: n })) {
        if (ev.type === 'token') count++;
        else if (ev.type === 'error') throw new Error(`adapter error: ${ev.code} ${ev.message}`);
      }
      return count;
    },
    close: () => adapter.close(),
  };
}

interface ChunkShape {
  choices?: Array<{ delta?: { content?: string } }>;
}

/** The floor: undici request (Node-stream body) + TextDecoder + eventsource-parser + JSON.parse, nothing else. */
export function floorContender(url: string): Contender {
  const pool = new Pool(url, { connections: 32, pipelining: 1 });
  return {
    name: 'floor (undici+esp+JSON.parse)',
    async run(n) {
      const { body, statusCode } = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({
          model: MODEL,
          messages: messages(n),
          max_tokens: n,
          stream: true,
          stream_options: { include_usage: true },
        }),
      });
      if (statusCode !== 200) throw new Error(`floor: HTTP ${statusCode}`);
      let count = 0;
      const parser = createParser({
        onEvent(ev) {
          if (ev.data === '[DONE]') return;
          const v = JSON.parse(ev.data) as ChunkShape;
          if (v.choices?.[0]?.delta?.content) count++;
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
      return count;
    },
    close: () => pool.close(),
  };
}

/** @huggingface/inference 4.x: chatCompletionStream with endpointUrl posts to `<url>/v1/chat/completions`. */
export function hfContender(url: string): Contender {
  return {
    name: '@huggingface/inference',
    async run(n) {
      let count = 0;
      for await (const chunk of chatCompletionStream({
        endpointUrl: url,
        model: MODEL,
        messages: messages(n),
        max_tokens: n,
      })) {
        if (chunk.choices?.[0]?.delta?.content) count++;
      }
      return count;
    },
    close: async () => {},
  };
}
