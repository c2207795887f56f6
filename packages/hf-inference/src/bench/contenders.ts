import { chatCompletionStream } from '@huggingface/inference';
import { adapterContender, type Contender, floorContender, isChatToken } from '@orch/fake-tgi/bench';
import { HfInferenceAdapter } from '../hf-inference-adapter.js';

const MODEL = 'bench/model';
const messages = (n: number) => [{ role: 'user' as const, content: `bench #tokens=${n}` }];

/** orch's adapter in router mode: validation, http-util, the shared chat parser, TokenStream invariants. */
export function hfAdapterContender(url: string): Contender {
  const adapter = new HfInferenceAdapter({ model: MODEL, baseUrl: url, retry: false, connections: 32 });
  return adapterContender('orch HfInferenceAdapter', adapter, (n) => ({
    messages: messages(n),
    max_tokens: n,
  }));
}

export function chatFloorContender(url: string): Contender {
  return floorContender(url, {
    path: '/v1/chat/completions',
    body: (n) => ({
      model: MODEL,
      messages: messages(n),
      max_tokens: n,
      stream: true,
      stream_options: { include_usage: true },
    }),
    isToken: isChatToken,
  });
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
