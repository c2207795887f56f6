import { CHUNK_HEAD } from './mock-tgi.js';

// Exact TGI frames of a job that asked for two alternatives per token (tgi-wire.md §4–§6): "Hi!" then
// the EOS. `/generate(_stream)` with `top_n_tokens: 2`; chat with `logprobs: true, top_logprobs: 2`.

const HI = '{"id":6324,"text":"Hi","logprob":-0.5,"special":false}';
const HELLO = '{"id":15043,"text":"Hello","logprob":-1.375,"special":false}';
const BANG = '{"id":29991,"text":"!","logprob":-1.25,"special":false}';
const DOT = '{"id":29889,"text":".","logprob":-1.5,"special":false}';
const COMMA = '{"id":29892,"text":",","logprob":-1.5,"special":false}';
const EOS = '{"id":2,"text":"</s>","logprob":-0.0625,"special":true}';
const NL = '{"id":13,"text":"\\n","logprob":-2.875,"special":false}';

export const GENERATE_TOP_FRAMES = [
  `{"index":1,"token":${HI},"top_tokens":[${HI},${HELLO}],"generated_text":null,"details":null}`,
  // A tie at the 2nd place: TGI returns every token that ties, so a list can be longer than asked.
  `{"index":2,"token":${BANG},"top_tokens":[${BANG},${DOT},${COMMA}],"generated_text":null,"details":null}`,
  `{"index":3,"token":${EOS},"top_tokens":[${EOS},${NL}],"generated_text":"Hi!","details":{"finish_reason":"eos_token","generated_tokens":3,"seed":null,"input_length":7}}`,
];

export const GENERATE_TOP_JSON = `{"generated_text":"Hi!","details":{"finish_reason":"eos_token","generated_tokens":3,"seed":null,"prefill":[],"tokens":[${HI},${BANG},${EOS}],"top_tokens":[[${HI},${HELLO}],[${BANG},${DOT}],[${EOS},${NL}]]}}`;

const entry = (token: string, logprob: number, alts: Array<[string, number]>) =>
  `{"token":${JSON.stringify(token)},"logprob":${logprob},"top_logprobs":[${alts
    .map(([t, l]) => `{"token":${JSON.stringify(t)},"logprob":${l}}`)
    .join(',')}]}`;

const HI_LP = entry('Hi', -0.5, [
  ['Hi', -0.5],
  ['Hello', -1.375],
]);
const BANG_LP = entry('!', -1.25, [
  ['!', -1.25],
  ['.', -1.5],
]);
const EOS_LP = entry('</s>', -0.0625, [
  ['</s>', -0.0625],
  ['\n', -2.875],
]);

const chunk = (content: string, lp: string, finish: string | null) =>
  `{${CHUNK_HEAD},"choices":[{"index":0,"delta":{"role":"assistant","content":${JSON.stringify(content)}},"logprobs":{"content":[${lp}]},"finish_reason":${finish ? `"${finish}"` : 'null'}}],"usage":null}`;

/** TGI's chat stream with logprobs: the EOS comes as empty content (it makes no token here). */
export const CHAT_TOP_FRAMES = [chunk('Hi', HI_LP, null), chunk('!', BANG_LP, null), chunk('', EOS_LP, 'stop'), '[DONE]'];

export const CHAT_TOP_JSON = `{"object":"chat.completion","id":"","created":1724792495,"model":"TinyLlama/TinyLlama-1.1B-Chat-v1.0","system_fingerprint":"3.3.6-dev0-native","choices":[{"index":0,"message":{"role":"assistant","content":"Hi!"},"logprobs":{"content":[${HI_LP},${BANG_LP}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":3,"total_tokens":24}}`;
