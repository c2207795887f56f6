import type { TokenEvent } from '@orch/adapter-api';
import { MockAgent } from 'undici';
import { TgiHttpAdapter, type TgiHttpAdapterOptions } from '../tgi-http-adapter.js';

// Shared by the MockAgent unit tests: exact TGI frames and a TGI origin mocked with undici's MockAgent.

export const ORIGIN = 'http://tgi.test:8080';
export const SSE = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
export const JSON_CT = { 'content-type': 'application/json' };

export const INFO = {
  model_id: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0',
  model_sha: null,
  model_pipeline_tag: 'text-generation',
  max_concurrent_requests: 128,
  max_best_of: 2,
  max_stop_sequences: 4,
  max_input_tokens: 2047,
  max_total_tokens: 2048,
  validation_workers: 2,
  max_client_batch_size: 4,
  router: 'text-generation-router',
  version: '3.3.6-dev0',
  sha: null,
  docker_label: null,
};

// Exact /generate_stream frames (tgi-wire.md §5): "Hi!" then the special EOS token.
export const GENERATE_FRAMES = [
  '{"index":1,"token":{"id":6324,"text":"Hi","logprob":-0.5,"special":false},"generated_text":null,"details":null}',
  '{"index":2,"token":{"id":29991,"text":"!","logprob":-1.25,"special":false},"generated_text":null,"details":null}',
  '{"index":3,"token":{"id":2,"text":"</s>","logprob":null,"special":true},"generated_text":"Hi!","details":{"finish_reason":"eos_token","generated_tokens":3,"seed":null,"input_length":7}}',
];
export const sse = (frames: string[]) => frames.map((f) => `data: ${f}\n\n`).join('');

export const CHUNK_HEAD =
  '"object":"chat.completion.chunk","id":"","created":1724792495,"model":"TinyLlama/TinyLlama-1.1B-Chat-v1.0","system_fingerprint":"3.3.6-dev0-native"';
export const chatChunk = (delta: string, finish: string | null = null) =>
  `{${CHUNK_HEAD},"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish ? `"${finish}"` : 'null'}}],"usage":null}`;

export interface Setup {
  agent: MockAgent;
  pool: ReturnType<MockAgent['get']>;
  adapter: TgiHttpAdapter;
  bodies: Record<string, string[]>;
  headers: Array<Record<string, string>>;
  infoRequests: number;
}

let current: Setup | undefined;

/** Closes the adapter and agent of the latest setup(); call it from afterEach. */
export async function teardown(): Promise<void> {
  await current?.adapter.close();
  await current?.agent.close();
  current = undefined;
}

export function setup(opts: Partial<TgiHttpAdapterOptions> = {}, info: unknown = INFO): Setup {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(ORIGIN);
  const bodies: Record<string, string[]> = {};
  const headers: Array<Record<string, string>> = [];
  const adapter = new TgiHttpAdapter({ baseUrl: ORIGIN, dispatcher: agent, retry: false, ...opts });
  const s: Setup = { agent, pool, adapter, bodies, headers, infoRequests: 0 };
  pool
    .intercept({ path: '/info', method: 'GET' })
    .reply(() => {
      s.infoRequests++;
      return { statusCode: 200, data: JSON.stringify(info), responseOptions: { headers: JSON_CT } };
    })
    .persist();
  current = s;
  return s;
}

/** Intercepts one POST to `path`, recording the raw body text and the request headers. */
export function onPost(
  s: Setup,
  path: string,
  status: number,
  body: string,
  replyHeaders: Record<string, string> = SSE,
): void {
  s.pool
    .intercept({
      path,
      method: 'POST',
      body: (b: string) => {
        const list = s.bodies[path] ?? [];
        list.push(b);
        s.bodies[path] = list;
        return true;
      },
      headers: (h: Record<string, string>) => {
        s.headers.push(h);
        return true;
      },
    })
    .reply(status, body, { headers: replyHeaders });
}

export async function collect(stream: AsyncIterable<TokenEvent>): Promise<TokenEvent[]> {
  const out: TokenEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}
