import { chatCompletionStream, textGenerationStream } from '@huggingface/inference';
import { parseTask, type SourceYield } from '@orch/adapter-api';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { TgiHttpAdapter } from '../tgi-http-adapter.js';

/** Consumes one stream of `tokens` tokens and resolves with the number of tokens seen. */
export type StreamFn = (tokens: number) => Promise<number>;

export interface Contender {
  name: string;
  run: StreamFn;
  close(): Promise<void>;
}

const prompt = (n: number) => `bench #tokens=${n}`;

/** orch's adapter, through the whole stack: validation, http-util, parser, TokenStream invariants. */
export function adapterContender(url: string): Contender {
  const adapter = new TgiHttpAdapter({ baseUrl: url, retry: false, connections: 32 });
  return {
    name: 'orch TgiHttpAdapter',
    async run(n) {
      let count = 0;
      for await (const ev of adapter.submit({ prompt: prompt(n), max_tokens: n })) {
        if (ev.type === 'token') count++;
        else if (ev.type === 'error') throw new Error(`adapter error: ${ev.code} ${ev.message}`);
      }
      return count;
    },
    close: () => adapter.close(),
  };
}

/** Exposes the adapter's source (its wire side) without the TokenStream the contract wraps it in. */
class SourceOnly extends TgiHttpAdapter {
  source(n: number, signal: AbortSignal): AsyncIterable<SourceYield> {
    return this.run(parseTask({ prompt: prompt(n), max_tokens: n }), { signal, nonStreaming: false });
  }
}

/** The adapter's wire side alone (http-util SSE batches + TGI parsing), to split the cost from TokenStream's. */
export function sourceOnlyContender(url: string): Contender {
  const adapter = new SourceOnly({ baseUrl: url, retry: false, connections: 32 });
  return {
    name: 'orch source only (no stream)',
    async run(n) {
      let count = 0;
      const ac = new AbortController();
      for await (const y of adapter.source(n, ac.signal)) {
        const list = Array.isArray(y) ? y : [y];
        for (const ev of list) if (ev.type === 'token') count++;
      }
      return count;
    },
    close: () => adapter.close(),
  };
}

/** The floor: undici request (Node-stream body) + TextDecoder + eventsource-parser + JSON.parse, nothing else. */
export function floorContender(url: string): Contender {
  const pool = new Pool(url, { connections: 32, pipelining: 1 });
  return {
    name: 'floor (undici+esp+JSON.parse)',
    async run(n) {
      const { body, statusCode } = await pool.request({
        path: '/generate_stream',
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ inputs: prompt(n), parameters: { max_new_tokens: n, details: true } }),
      });
      if (statusCode !== 200) throw new Error(`floor: HTTP ${statusCode}`);
      let count = 0;
      const parser = createParser({
        onEvent(ev) {
          const v = JSON.parse(ev.data) as { token?: unknown };
          if (v.token) count++;
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of body as AsyncIterable<Uint8Array>)
        parser.feed(decoder.decode(chunk, { stream: true }));
      return count;
    },
    close: () => pool.close(),
  };
}

/** @huggingface/inference 4.x: its textGenerationStream posts to `<endpointUrl>/v1/completions`. */
export function hfContender(url: string): Contender {
  return {
    name: '@huggingface/inference',
    async run(n) {
      let count = 0;
      for await (const out of textGenerationStream({
        endpointUrl: url,
        inputs: prompt(n),
        parameters: { max_new_tokens: n },
      })) {
        // 4.x yields the raw `text_completion` chunks despite its declared type.
        const chunk = out as unknown as { choices?: unknown[]; token?: unknown };
        if (chunk.choices?.length || chunk.token) count++;
      }
      return count;
    },
    close: async () => {},
  };
}

// Chat route: the same three, on /v1/chat/completions (OpenAI-style chunks, `[DONE]`).

const chatMessages = (n: number) => [{ role: 'user' as const, content: prompt(n) }];

export function adapterChatContender(url: string): Contender {
  const adapter = new TgiHttpAdapter({ baseUrl: url, retry: false, connections: 32 });
  return {
    name: 'orch TgiHttpAdapter',
    async run(n) {
      let count = 0;
      for await (const ev of adapter.submit({ messages: chatMessages(n), max_tokens: n })) {
        if (ev.type === 'token') count++;
        else if (ev.type === 'error') throw new Error(`adapter error: ${ev.code} ${ev.message}`);
      }
      return count;
    },
    close: () => adapter.close(),
  };
}

export function floorChatContender(url: string): Contender {
  const pool = new Pool(url, { connections: 32, pipelining: 1 });
  return {
    name: 'floor (undici+esp+JSON.parse)',
    async run(n) {
      const { body, statusCode } = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ model: 'tgi', messages: chatMessages(n), max_tokens: n, stream: true }),
      });
      if (statusCode !== 200) throw new Error(`floor: HTTP ${statusCode}`);
      let count = 0;
      const parser = createParser({
        onEvent(ev) {
          if (ev.data === '[DONE]') return;
          const v = JSON.parse(ev.data) as { choices?: Array<{ delta?: { content?: string } }> };
          if (v.choices?.[0]?.delta?.content) count++;
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of body as AsyncIterable<Uint8Array>)
        parser.feed(decoder.decode(chunk, { stream: true }));
      return count;
    },
    close: () => pool.close(),
  };
}

export function hfChatContender(url: string): Contender {
  return {
    name: '@huggingface/inference',
    async run(n) {
      let count = 0;
      for await (const chunk of chatCompletionStream({
        endpointUrl: url,
        messages: chatMessages(n),
        max_tokens: n,
      })) {
        if (chunk.choices?.[0]?.delta?.content) count++;
      }
      return count;
    },
    close: async () => {},
  };
}
