/** What the fake router "generates" for one request, before it is framed for a route. */
export interface FakeAnswer {
  /** Text pieces, one per token. */
  pieces: string[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  promptTokens: number;
  toolCall?: { id: string; name: string; arguments: string };
}

const DEFAULT_VOCABULARY = ['Hello', ',', ' world', '!', ' How', ' are', ' you', '?'];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Splits text into pieces of at most `size` characters (a stand-in for a tokenizer). */
function split(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function countWords(value: unknown): number {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean).length;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countWords(v), 0);
  if (isObj(value)) return countWords(value.content ?? value.text);
  return 0;
}

export interface AnswerInput {
  maxTokens: number | undefined;
  /** The prompt text or the chat messages, only used to count prompt tokens. */
  prompt: unknown;
  tools?: unknown;
  toolChoice?: unknown;
  responseFormat?: unknown;
}

/** Deterministic answer: the vocabulary cycled, a JSON object for response_format, or a tool call. */
export function fakeAnswer(
  input: AnswerInput,
  vocabulary = DEFAULT_VOCABULARY,
  answerTokens = 8,
): FakeAnswer {
  const promptTokens = Math.max(1, countWords(input.prompt));
  const tool = pickTool(input.tools, input.toolChoice);
  if (tool) {
    const args = JSON.stringify({ location: 'Paris', unit: 'celsius' });
    return {
      pieces: split(args, 6),
      finishReason: 'tool_calls',
      promptTokens,
      toolCall: { id: 'call_fake_0', name: tool, arguments: args },
    };
  }
  if (isObj(input.responseFormat) && input.responseFormat.type !== 'text') {
    return {
      pieces: split(JSON.stringify({ answer: 'fake', ok: true }), 4),
      finishReason: 'stop',
      promptTokens,
    };
  }
  const natural = answerTokens;
  const n = input.maxTokens === undefined ? natural : Math.min(natural, input.maxTokens);
  const pieces = new Array<string>(n);
  for (let i = 0; i < n; i++) pieces[i] = vocabulary[i % vocabulary.length] ?? '?';
  return { pieces, finishReason: n < natural ? 'length' : 'stop', promptTokens };
}

function pickTool(tools: unknown, choice: unknown): string | undefined {
  if (!Array.isArray(tools) || tools.length === 0 || choice === 'none') return undefined;
  if (isObj(choice) && isObj(choice.function) && typeof choice.function.name === 'string') {
    return choice.function.name;
  }
  const first: unknown = tools[0];
  if (isObj(first) && isObj(first.function) && typeof first.function.name === 'string')
    return first.function.name;
  return undefined;
}
