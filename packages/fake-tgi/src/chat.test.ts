import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTgi } from './fake-tgi.js';
import { headerOf, rawRequest, sseData } from './raw-http.js';
import type { FakeTgi } from './types.js';

let tgi: FakeTgi;
beforeAll(async () => {
  tgi = await startFakeTgi({ tokens: { tokens: ['Hello', ' there', '!'] } });
});
afterAll(() => tgi.close());

const chat = (body: Record<string, unknown>) => rawRequest(`${tgi.url}/v1/chat/completions`, { body });
const user = (content: string) => [{ role: 'user', content }];
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Get the weather',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string' },
        format: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
    },
  },
};

interface Chunk {
  object: string;
  id: string;
  model: string;
  choices: {
    delta: {
      role: string;
      content?: string;
      tool_calls?: { id: string; function: { name: string | null; arguments: string } }[];
    };
    finish_reason: string | null;
    logprobs: unknown;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

const chunks = (body: Buffer): (Chunk | '[DONE]')[] =>
  sseData(body.toString()).map((d) => (d === '[DONE]' ? d : (JSON.parse(d) as Chunk)));

describe('POST /v1/chat/completions (stream)', () => {
  it('[FAKE-CHAT-1] chunk shape in order, role repeated, EOS as "", finish stop, then [DONE]', async () => {
    const r = await chat({ messages: user('hi'), stream: true });
    expect(headerOf(r, 'content-type')).toBe('text/event-stream');
    const data = sseData(r.body.toString());
    expect(data.at(-1)).toBe('[DONE]');
    const first = JSON.parse(data[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual([
      'object',
      'id',
      'created',
      'model',
      'system_fingerprint',
      'choices',
      'usage',
    ]);
    expect(data[0]).toMatch(
      /^\{"object":"chat\.completion\.chunk","id":"","created":\d+,"model":"fake-org\/fake-model","system_fingerprint":"3\.3\.6-dev0-native","choices":\[\{"index":0,"delta":\{"role":"assistant","content":"Hello"\},"logprobs":null,"finish_reason":null\}\],"usage":null\}$/,
    );
    const parsed = chunks(r.body).filter((c): c is Chunk => c !== '[DONE]');
    expect(parsed.map((c) => c.choices[0]!.delta.content)).toEqual(['Hello', ' there', '!', '']);
    expect(parsed.every((c) => c.choices[0]!.delta.role === 'assistant')).toBe(true);
    expect(parsed.map((c) => c.choices[0]!.finish_reason)).toEqual([null, null, null, 'stop']);
  });

  it('[FAKE-CHAT-2] include_usage adds a choices:[] usage chunk before [DONE]; length finish', async () => {
    const r = await chat({
      messages: user('hi'),
      stream: true,
      max_tokens: 2,
      stream_options: { include_usage: true },
    });
    const all = chunks(r.body);
    expect(all).toHaveLength(4);
    const usage = all[2] as Chunk;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    expect((all[1] as Chunk).choices[0]!.finish_reason).toBe('length');
    expect(all[3]).toBe('[DONE]');
  });

  it('[FAKE-CHAT-3] model echoes the request unless absent or "tgi"; logprobs on deltas', async () => {
    const r = await chat({
      model: 'my-lora',
      messages: user('hi'),
      stream: true,
      logprobs: true,
      top_logprobs: 2,
    });
    const c = chunks(r.body)[0] as Chunk;
    expect(c.model).toBe('my-lora');
    expect(c.choices[0]!.logprobs).toEqual({
      content: [
        {
          token: 'Hello',
          logprob: -0.1,
          top_logprobs: [
            { token: 'Hello', logprob: -0.1 },
            { token: ' alt1', logprob: -1.1 },
          ],
        },
      ],
    });
    const t = await chat({ model: 'tgi', messages: user('hi'), stream: true });
    expect((chunks(t.body)[0] as Chunk).model).toBe('fake-org/fake-model');
  });

  it('[FAKE-CHAT-4] tool-call stream: name + "{" first, name:null raw text, no finish chunk, usage, [DONE]', async () => {
    const r = await chat({
      messages: user('weather in Paris?'),
      tools: [weatherTool],
      stream: true,
      stream_options: { include_usage: true },
    });
    const all = chunks(r.body);
    expect(all.at(-1)).toBe('[DONE]');
    const usage = all.at(-2) as Chunk;
    expect(usage.choices).toEqual([]);
    const deltas = all.slice(0, -2) as Chunk[];
    const calls = deltas.map((c) => c.choices[0]!.delta.tool_calls![0]!);
    expect(calls[0]!.function).toEqual({ name: 'get_current_weather', arguments: '{' });
    expect(calls.slice(1).every((t) => t.function.name === null)).toBe(true);
    expect(calls.every((t) => t.id === '0')).toBe(true);
    expect(deltas.every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    expect(deltas.every((c) => !('content' in c.choices[0]!.delta))).toBe(true);
    const args = calls.map((t) => t.function.arguments).join('');
    expect(JSON.parse(args)).toEqual({ location: 'Paris', format: 'celsius' });
    // Tokens before the name is known send nothing, so the stream has fewer chunks than tokens.
    expect(usage.usage!.completion_tokens).toBeGreaterThan(deltas.length);
    expect(r.body.toString()).toContain(
      '"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"0","type":"function","function":{"name":"get_current_weather","arguments":"{"}}]}',
    );
  });

  it('[FAKE-CHAT-5] #tool_args marker, named tool_choice, and integer ids continue from the conversation', async () => {
    const r = await chat({
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: '4', type: 'function', function: { name: 'x', arguments: '{}' } }],
        },
        { role: 'user', content: 'again #tool_args={"location": "Rome"}' },
      ],
      tools: [{ type: 'function', function: { name: 'other', parameters: {} } }, weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_current_weather' } },
      stream: true,
    });
    const deltas = chunks(r.body).slice(0, -1) as Chunk[];
    const calls = deltas.map((c) => c.choices[0]!.delta.tool_calls![0]!);
    expect(calls[0]!.id).toBe('5');
    expect(calls[0]!.function.name).toBe('get_current_weather');
    expect(JSON.parse(calls.map((t) => t.function.arguments).join(''))).toEqual({ location: 'Rome' });
  });

  it('[FAKE-CHAT-6] a tool call cut by max_tokens ends with finish_reason length', async () => {
    const r = await chat({ messages: user('w'), tools: [weatherTool], stream: true, max_tokens: 10 });
    const deltas = chunks(r.body).slice(0, -1) as Chunk[];
    expect(deltas.at(-1)!.choices[0]!.finish_reason).toBe('length');
  });

  it('[FAKE-CHAT-7] validation errors arrive in-stream as {error:{message,http_status_code:422}} then [DONE]', async () => {
    const r = await chat({ messages: user('hi'), stream: true, top_p: 1 });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(
      'data: {"error":{"message":"Input validation error: `top_p` must be > 0.0 and < 1.0","http_status_code":422}}\n\ndata: [DONE]\n\n',
    );
    const pp = await chat({ messages: user('hi'), stream: true, presence_penalty: -2 });
    expect(pp.body.toString()).toContain('`repetition_penalty` must be strictly positive');
  });

  it('[FAKE-CHAT-8] tools + response_format is a 422 tool_error before any stream', async () => {
    const r = await chat({
      messages: user('hi'),
      stream: true,
      tools: [],
      response_format: { type: 'json', value: { properties: {} } },
    });
    expect(r.status).toBe(422);
    expect(r.body.toString()).toBe(
      '{"error":"Tool error: Grammar and tools are mutually exclusive","error_type":"tool_error"}',
    );
    const missing = await chat({ messages: user('hi'), tools: [weatherTool], tool_choice: 'nope' });
    expect(JSON.parse(missing.body.toString())).toEqual({
      error: 'Tool error: Tool with name nope not found',
      error_type: 'tool_error',
    });
  });
});

describe('POST /v1/chat/completions (non-stream)', () => {
  it('[FAKE-CHAT-9] chat.completion body in TGI key order with usage and timing headers', async () => {
    const r = await chat({ messages: user('hi') });
    const text = r.body.toString();
    expect(text).toMatch(
      /^\{"object":"chat\.completion","id":"","created":\d+,"model":"fake-org\/fake-model","system_fingerprint":"3\.3\.6-dev0-native","choices":\[\{"index":0,"message":\{"role":"assistant","content":"Hello there!"\},"logprobs":null,"finish_reason":"stop"\}\],"usage":\{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7\}\}$/,
    );
    expect(headerOf(r, 'x-generated-tokens')).toBe('4');
  });

  it('[FAKE-CHAT-10] tool call message has no content key, id "0", arguments as a compact JSON string', async () => {
    const r = await chat({ messages: user('w'), tools: [weatherTool], tool_choice: 'required' });
    const body = JSON.parse(r.body.toString()) as {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
    };
    const msg = body.choices[0]!.message;
    expect(Object.keys(msg)).toEqual(['role', 'tool_calls']);
    expect(msg.tool_calls).toEqual([
      {
        id: '0',
        type: 'function',
        function: {
          description: 'Get the weather',
          name: 'get_current_weather',
          arguments: '{"location":"Paris","format":"celsius"}',
        },
      },
    ]);
    expect(body.choices[0]!.finish_reason).toBe('stop');
  });

  it('[FAKE-CHAT-11] tool_choice none or #no_tool under auto answer with content', async () => {
    const none = await chat({ messages: user('hi'), tools: [weatherTool], tool_choice: 'none' });
    expect(none.body.toString()).toContain('"content":"Hello there!"');
    const noTool = await chat({ messages: user('hi #no_tool'), tools: [weatherTool] });
    expect(noTool.body.toString()).toContain('"content":"Hello there!"');
  });

  it('[FAKE-CHAT-12] broken tool args that cannot be parsed give a 422 tool_error', async () => {
    const r = await chat({ messages: user('#tool_args={"location": '), tools: [weatherTool] });
    expect(r.status).toBe(422);
    expect(JSON.parse(r.body.toString()).error_type).toBe('tool_error');
    expect(JSON.parse(r.body.toString()).error).toMatch(/^Tool error: Failed to parse generated text: /);
  });

  it('[FAKE-CHAT-13] response_format json forces JSON content', async () => {
    const r = await chat({
      messages: user('hi'),
      response_format: { type: 'json_object', value: { properties: { city: { type: 'string' } } } },
    });
    const body = JSON.parse(r.body.toString()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(body.choices[0]!.message.content)).toEqual({ city: 'Paris' });
  });

  it('[FAKE-CHAT-14] serde rejections are plain-text 422s', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ messages: user('a'), stream: null }, 'stream: invalid type: null, expected a boolean'],
      [{ messages: user('a'), stream_options: null }, 'stream_options: invalid type: null'],
      [{ messages: [{ role: 'user', content: null }] }, 'messages[0]: data did not match any variant'],
      [{ messages: user('a'), logit_bias: { '1': 2 } }, 'logit_bias: invalid type: map, expected a sequence'],
      [{ messages: user('a'), response_format: { type: 'json_object' } }, 'missing field `value`'],
      [{ messages: user('a'), response_format: { type: 'text' } }, 'unknown variant `text`'],
      [{ messages: user('a'), stop: 'x' }, 'stop: invalid type: string "x", expected a sequence'],
      [{}, 'missing field `messages`'],
    ];
    for (const [body, msg] of cases) {
      const r = await chat(body);
      expect(r.status).toBe(422);
      expect(headerOf(r, 'content-type')).toBe('text/plain; charset=utf-8');
      expect(r.body.toString()).toContain(msg);
    }
  });
});
