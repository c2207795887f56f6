import { describe, expect, it } from 'vitest';
import { caught } from './__fixtures__/caught.js';
import { OpenAiChatStreamParser } from './openai-chat-stream.js';

const head =
  '"object":"chat.completion.chunk","id":"","created":1724792495,"model":"TinyLlama/TinyLlama-1.1B-Chat-v1.0","system_fingerprint":"3.3.6-dev0-native"';
const chunk = (delta: string, finish: string | null = null, logprobs = 'null') =>
  `{${head},"choices":[{"index":0,"delta":${delta},"logprobs":${logprobs},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}],"usage":null}`;
const usage = `{${head},"choices":[],"usage":{"prompt_tokens":61,"completion_tokens":3,"total_tokens":64}}`;

function run(frames: string[]) {
  const p = new OpenAiChatStreamParser();
  const tokens = [];
  for (const f of frames) {
    const t = p.push(f);
    if (t) tokens.push(t);
  }
  return { p, tokens };
}

describe('OpenAI-compatible chat stream parser', () => {
  it('[TGI-CHAT-1][TGI-STREAM-5] content deltas become tokens; usage and finish reason reach end', () => {
    const { p, tokens } = run([
      chunk('{"role":"assistant","content":"Hel"}'),
      chunk('{"role":"assistant","content":"lo"}'),
      chunk('{"role":"assistant","content":""}', 'stop'),
      usage,
      '[DONE]',
    ]);
    expect(tokens.map((t) => t.text)).toEqual(['Hel', 'lo']);
    expect(p.done).toBe(true);
    expect(p.model).toBe('TinyLlama/TinyLlama-1.1B-Chat-v1.0');
    expect(p.systemFingerprint).toBe('3.3.6-dev0-native');
    expect(p.end()).toEqual({
      type: 'end',
      finish_reason: 'stop',
      text: 'Hello',
      usage: { completion_tokens: 3, prompt_tokens: 61 },
    });
  });

  it('[TGI-STREAM-4] finish reasons normalise (stop_sequence kept, length kept)', () => {
    expect(run([chunk('{"content":"a"}', 'stop_sequence'), '[DONE]']).p.end().finish_reason).toBe(
      'stop_sequence',
    );
    expect(run([chunk('{"content":"a"}', 'length'), '[DONE]']).p.end().finish_reason).toBe('length');
    expect(run([chunk('{"content":"a"}', 'eos_token'), '[DONE]']).p.end().finish_reason).toBe('stop');
  });

  it('[TGI-STREAM-2] logprobs reach the token', () => {
    const { tokens } = run([
      chunk(
        '{"role":"assistant","content":"a"}',
        null,
        '{"content":[{"token":"a","logprob":-0.25,"top_logprobs":[]}]}',
      ),
    ]);
    expect(tokens[0]).toEqual({ type: 'token', text: 'a', logprob: -0.25 });
  });

  it('[TGI-CHAT-2] tool calls are assembled by index, arguments stay a string, [DONE] ends with tool_calls', () => {
    const { p, tokens } = run([
      chunk(
        '{"role":"assistant","tool_calls":[{"index":0,"id":"0","type":"function","function":{"name":"get_current_weather","arguments":"{"}}]}',
      ),
      chunk(
        '{"role":"assistant","tool_calls":[{"index":0,"id":"","type":"function","function":{"name":null,"arguments":"\\"location\\":"}}]}',
      ),
      chunk(
        '{"role":"assistant","tool_calls":[{"index":0,"id":"","type":"function","function":{"name":null,"arguments":" \\"Paris\\"}"}}]}',
      ),
      usage,
      '[DONE]',
    ]);
    expect(tokens.map((t) => t.text).join('')).toBe('{"location": "Paris"}');
    const end = p.end();
    expect(end.finish_reason).toBe('tool_calls');
    expect(end.text).toBe('');
    expect(end.tool_calls).toEqual([
      {
        id: '0',
        type: 'function',
        function: { name: 'get_current_weather', arguments: '{"location": "Paris"}' },
      },
    ]);
    expect(JSON.parse(end.tool_calls![0]!.function.arguments)).toEqual({ location: 'Paris' });
  });

  it('[TGI-CHAT-2] parallel tool calls by index', () => {
    const { p } = run([
      chunk('{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{}"}}]}'),
      chunk('{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{\\"x\\":1}"}}]}'),
      '[DONE]',
    ]);
    expect(p.end().tool_calls?.map((c) => [c.id, c.function.name, c.function.arguments])).toEqual([
      ['a', 'f', '{"x":1}'],
      ['b', 'g', '{}'],
    ]);
  });

  it('[TGI-CHAT-3] a tool call cut by max_tokens finishes with length', () => {
    const { p } = run([
      chunk(
        '{"tool_calls":[{"index":0,"id":"0","type":"function","function":{"name":"f","arguments":"{\\"a"}}]}',
        'length',
      ),
      '[DONE]',
    ]);
    expect(p.end().finish_reason).toBe('length');
  });

  it('[TGI-STREAM-7] a stream cut before [DONE] and before any finish_reason is an error, not an end', () => {
    const { p } = run([chunk('{"content":"a"}')]);
    expect(caught(() => p.end()).code).toBe('NETWORK');
    const tools = run([
      chunk('{"tool_calls":[{"index":0,"id":"0","function":{"name":"f","arguments":"{"}}]}'),
    ]);
    expect(caught(() => tools.p.end()).code).toBe('NETWORK');
    // Pre-2.2 TGI: no [DONE], but a finish_reason: a proper end.
    expect(run([chunk('{"content":"a"}', 'stop')]).p.end().finish_reason).toBe('stop');
  });

  it('[TGI-ERR-2] in-stream {error:{message,http_status_code}} maps by message, not the hard-coded 422', () => {
    const e1 = caught(() =>
      run([
        '{"error":{"message":"Input validation error: `stop` supports up to 4 stop sequences. Given: 5","http_status_code":422}}',
      ]),
    );
    expect([e1.code, e1.retriable, e1.field]).toEqual(['INVALID_REQUEST', false, 'stop']);
    const e2 = caught(() => run(['{"error":{"message":"Model is overloaded","http_status_code":422}}']));
    expect([e2.code, e2.retriable]).toEqual(['OVERLOADED', true]);
    const e3 = caught(() =>
      run(['{"error":{"message":"Request failed during generation: CUDA OOM","http_status_code":422}}']),
    );
    expect(e3.code).toBe('UPSTREAM_ERROR');
    const e4 = caught(() =>
      run(['{"error":"Incomplete generation stream","error_type":"incomplete_generation_stream"}']),
    );
    expect(e4.code).toBe('UPSTREAM_ERROR');
    const e5 = caught(() => run(['{"error":{"message":"Too many requests","http_status_code":429}}']));
    expect(e5.code).toBe('OVERLOADED');
    const e6 = caught(() => run(['{"error":"something odd"}']));
    expect(e6.code).toBe('UPSTREAM_ERROR');
  });

  it('[TGI-STREAM-6] malformed chunks are PROTOCOL errors', () => {
    for (const bad of [
      '{oops',
      '"str"',
      '{"choices":{}}',
      '{"choices":[5]}',
      '{"choices":[{"delta":{"tool_calls":{}}}]}',
    ]) {
      expect(caught(() => run([bad])).code, bad).toBe('PROTOCOL');
    }
    expect(
      caught(() =>
        run(['{"choices":[{"delta":{"tool_calls":[{"index":9999,"function":{"arguments":"x"}}]}}]}']),
      ).code,
    ).toBe('PROTOCOL');
  });
});
