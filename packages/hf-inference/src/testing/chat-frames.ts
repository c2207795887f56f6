import type { FakeAnswer } from './fake-answer.js';

/** SSE data payloads of one streamed answer: `head` and `tail` carry no token. */
export interface StreamFrames {
  head: string[];
  tokens: string[];
  tail: string[];
}

const CREATED = 1_763_000_000;

/**
 * An answer as OpenAI `chat.completion.chunk` payloads: a role chunk, one chunk per token (content or
 * tool-call argument deltas, the first tool delta carrying id, type and name), a finish chunk, a usage
 * chunk with empty choices when `include_usage` was asked, then `[DONE]`.
 */
export function chatStreamFrames(
  answer: FakeAnswer,
  model: string,
  includeUsage: boolean,
  logprobs?: LogprobsAsk,
): StreamFrames {
  const id = 'chatcmpl-fake';
  const prefix = `{"id":"${id}","object":"chat.completion.chunk","created":${CREATED},"model":${JSON.stringify(model)},"system_fingerprint":"fake-router","choices":[`;
  const chunk = (delta: string, finish: string | null, lp = 'null') =>
    `${prefix}{"index":0,"delta":${delta},"logprobs":${lp},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}`;
  const head = [chunk('{"role":"assistant","content":""}', null)];
  const tokens: string[] = new Array(answer.pieces.length);
  const call = answer.toolCall;
  answer.pieces.forEach((piece, i) => {
    if (call) {
      const fn =
        i === 0
          ? `{"name":${JSON.stringify(call.name)},"arguments":${JSON.stringify(piece)}}`
          : `{"arguments":${JSON.stringify(piece)}}`;
      const first = i === 0 ? `"id":"${call.id}","type":"function",` : '';
      tokens[i] = chunk(`{"tool_calls":[{"index":0,${first}"function":${fn}}]}`, null);
    } else {
      const lp = logprobs
        ? JSON.stringify({ content: [logprobEntry(piece, logprobs.top)], refusal: null })
        : 'null';
      tokens[i] = chunk(`{"content":${JSON.stringify(piece)}}`, null, lp);
    }
  });
  const tail = [chunk('{}', answer.finishReason)];
  if (includeUsage) {
    const usage = usageOf(answer);
    tail.push(
      `{"id":"${id}","object":"chat.completion.chunk","created":${CREATED},"model":${JSON.stringify(model)},"choices":[],"usage":${JSON.stringify(usage)}}`,
    );
  }
  tail.push('[DONE]');
  return { head, tokens, tail };
}

function usageOf(answer: FakeAnswer): Record<string, number> {
  const completion = answer.pieces.length;
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: completion,
    total_tokens: answer.promptTokens + completion,
  };
}

/** What a request asked with `logprobs: true`: `top` alternatives per token (`top_logprobs`, else 0). */
export interface LogprobsAsk {
  top: number;
}

interface OpenAiTopLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

/**
 * OpenAI's per-token logprob entry (with `bytes`, which TGI leaves out): the token at -0.5, its
 * alternatives the token itself first, then ` alt1`, ` alt2`, … one nat less likely each.
 */
function logprobEntry(token: string, top: number): OpenAiTopLogprob & { top_logprobs: OpenAiTopLogprob[] } {
  const bytes = (t: string) => [...Buffer.from(t, 'utf8')];
  const alternatives: OpenAiTopLogprob[] = [];
  for (let k = 0; k < top; k++) {
    const text = k === 0 ? token : ` alt${k}`;
    alternatives.push({ token: text, logprob: -0.5 - k, bytes: bytes(text) });
  }
  return { token, logprob: -0.5, bytes: bytes(token), top_logprobs: alternatives };
}

/** The same answer as one non-streamed `chat.completion` object. */
export function chatCompletionBody(
  answer: FakeAnswer,
  model: string,
  logprobs?: LogprobsAsk,
): Record<string, unknown> {
  const call = answer.toolCall;
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: call ? null : answer.pieces.join(''),
  };
  if (call) {
    message.tool_calls = [
      { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } },
    ];
  }
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: CREATED,
    model,
    system_fingerprint: 'fake-router',
    choices: [
      {
        index: 0,
        message,
        // Tool calls carry no content, so OpenAI reports no content logprobs for them.
        logprobs:
          logprobs && !call
            ? { content: answer.pieces.map((p) => logprobEntry(p, logprobs.top)), refusal: null }
            : null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: usageOf(answer),
  };
}

const TGI_FINISH = { stop: 'eos_token', length: 'length', tool_calls: 'eos_token' } as const;

/**
 * The serverless text-generation stream (TGI's `/generate_stream` framing): one `{index, token,
 * generated_text: null, details: null}` event per token, the last carrying `generated_text` and details.
 */
export function serverlessStreamFrames(answer: FakeAnswer): StreamFrames {
  const n = answer.pieces.length;
  const tokens = answer.pieces.map((piece, i) => {
    const token = `{"id":${1000 + i},"text":${JSON.stringify(piece)},"logprob":-0.5,"special":false}`;
    if (i < n - 1) return `{"index":${i + 1},"token":${token},"generated_text":null,"details":null}`;
    const details = `{"finish_reason":"${TGI_FINISH[answer.finishReason]}","generated_tokens":${n},"input_length":${answer.promptTokens},"seed":null}`;
    return `{"index":${i + 1},"token":${token},"generated_text":${JSON.stringify(answer.pieces.join(''))},"details":${details}}`;
  });
  return { head: [], tokens, tail: [] };
}

/** `[{generated_text}]`, with TGI-style details when they were asked for. */
export function serverlessBody(answer: FakeAnswer, details: boolean): unknown[] {
  const out: Record<string, unknown> = { generated_text: answer.pieces.join('') };
  if (details) {
    out.details = {
      finish_reason: TGI_FINISH[answer.finishReason],
      generated_tokens: answer.pieces.length,
      input_length: answer.promptTokens,
      seed: null,
    };
  }
  return [out];
}
