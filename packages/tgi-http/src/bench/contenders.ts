import { chatCompletionStream, textGenerationStream } from '@huggingface/inference';
import { parseTask, type SourceYield } from '@orch/adapter-api';
import { adapterContender, type Contender, floorContender, isChatToken } from '@orch/fake-tgi/bench';
import { TgiHttpAdapter } from '../tgi-http-adapter.js';

const prompt = (n: number) => `bench #tokens=${n}`;

const newAdapter = (url: string) => new TgiHttpAdapter({ baseUrl: url, retry: false, connections: 32 });

/** orch's adapter, through the whole stack: validation, http-util, parser, TokenStream invariants. */
export function tgiAdapterContender(url: string): Contender {
  return adapterContender('orch TgiHttpAdapter', newAdapter(url), (n) => ({
    prompt: prompt(n),
    max_tokens: n,
  }));
}

/** Exposes the adapter's source (its wire side) without the TokenStream the contract wraps it in. */
class SourceOnly extends TgiHttpAdapter {
  source(n: number, signal: AbortSignal): AsyncIterable<SourceYield> {
    return this.run(parseTask({ prompt: prompt(n), max_tokens: n }), {
      cancel: signal,
      signal,
      nonStreaming: false,
    });
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

export function generateFloorContender(url: string): Contender {
  return floorContender(url, {
    path: '/generate_stream',
    body: (n) => ({ inputs: prompt(n), parameters: { max_new_tokens: n, details: true } }),
    isToken: (v) => Boolean((v as { token?: unknown }).token),
  });
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
  return adapterContender('orch TgiHttpAdapter', newAdapter(url), (n) => ({
    messages: chatMessages(n),
    max_tokens: n,
  }));
}

export function floorChatContender(url: string): Contender {
  return floorContender(url, {
    path: '/v1/chat/completions',
    body: (n) => ({ model: 'tgi', messages: chatMessages(n), max_tokens: n, stream: true }),
    isToken: isChatToken,
  });
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
