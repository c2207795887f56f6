import { parseTask } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { buildChatBody, toChatRequest } from './chat-params.js';

const messages = [{ role: 'user', content: 'Hi' }];
const task = (t: Record<string, unknown>) => parseTask({ messages, ...t });

describe('chat parameters', () => {
  it('[TGI-PARAM-9] streams with include_usage and never sends null stream fields', () => {
    const body = JSON.parse(buildChatBody(task({}), { stream: true }));
    expect(body).toEqual({ model: 'tgi', messages, stream: true, stream_options: { include_usage: true } });
    const nonStream = JSON.parse(buildChatBody(task({}), { stream: false }));
    expect(nonStream.stream).toBe(false);
    expect('stream_options' in nonStream).toBe(false);
  });

  it('[TGI-PARAM-9] drops presence_penalty (TGI maps it to repetition_penalty+2) and sends no logit_bias', () => {
    const text = buildChatBody(task({ presence_penalty: 0.5, frequency_penalty: 0.3 }), { stream: true });
    expect(text).not.toContain('presence_penalty');
    expect(text).not.toContain('logit_bias');
    expect(JSON.parse(text).frequency_penalty).toBe(0.3);
  });

  it('[TGI-PARAM-2][TGI-PARAM-3] top_p 1 is omitted; temperature 0 and do_sample:false are greedy', () => {
    expect(toChatRequest(task({ top_p: 1, temperature: 0.5 }), { stream: true })).not.toHaveProperty('top_p');
    expect(toChatRequest(task({ temperature: 0 }), { stream: true }).temperature).toBe(0);
    const greedy = toChatRequest(task({ do_sample: false, temperature: 0.9, top_p: 0.5 }), { stream: true });
    expect(greedy.temperature).toBe(0);
    expect(greedy.top_p).toBeUndefined();
  });

  it('[TGI-PARAM-4] enforces the stop limit', () => {
    expect(() => toChatRequest(task({ stop: ['1', '2', '3', '4', '5'] }), { stream: true })).toThrow(/stop/);
    expect(toChatRequest(task({ stop: ['x'] }), { stream: true }).stop).toEqual(['x']);
  });

  it('[TGI-PARAM-6] logprobs and top_logprobs pass through', () => {
    const r = toChatRequest(task({ logprobs: true, top_logprobs: 2 }), { stream: true });
    expect(r.logprobs).toBe(true);
    expect(r.top_logprobs).toBe(2);
  });

  it("[TGI-PARAM-7] response_format becomes TGI's {type, value}; with tools it is INVALID_REQUEST", () => {
    const schema = { type: 'object', properties: { n: { type: 'integer' } } };
    expect(
      toChatRequest(task({ response_format: { type: 'json', schema } }), { stream: true }).response_format,
    ).toEqual({ type: 'json', value: schema });
    expect(
      toChatRequest(task({ response_format: { type: 'regex', pattern: '[ab]+' } }), { stream: true })
        .response_format,
    ).toEqual({ type: 'regex', value: '[ab]+' });
    const tools = [{ type: 'function', function: { name: 'f' } }];
    expect(() => toChatRequest(task({ tools, response_format: { type: 'json' } }), { stream: true })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST', field: 'response_format' }),
    );
  });

  it('[TGI-PARAM-8] writes the seed verbatim', () => {
    const text = buildChatBody(task({ seed: '12345678901234567890' }), { stream: true });
    expect(text.startsWith('{"seed":12345678901234567890,"model":"tgi"')).toBe(true);
  });

  it('[TGI-PARAM-10] maps tools, tool_choice and tool-call messages', () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'get_weather', description: 'w', parameters: { type: 'object' } },
      },
      { type: 'function', function: { name: 'noargs' } },
    ];
    const r = toChatRequest(
      task({
        tools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: '0', type: 'function', function: { name: 'get_weather', arguments: '{"a":1}' } },
            ],
          },
          { role: 'tool', content: 'sunny', tool_call_id: '0' },
        ],
      }),
      { stream: true, model: 'my-lora' },
    );
    expect(r.model).toBe('my-lora');
    expect(r.tools?.[0]?.function).toEqual({
      name: 'get_weather',
      description: 'w',
      parameters: { type: 'object' },
    });
    expect(r.tools?.[1]?.function.parameters).toEqual({ type: 'object', properties: {} });
    expect(r.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(r.messages[1]).not.toHaveProperty('content');
    expect(r.messages[1]?.tool_calls?.[0]?.function.arguments).toBe('{"a":1}');
    expect(r.messages[2]).toEqual({ role: 'tool', content: 'sunny', tool_call_id: '0' });
  });

  it('[TGI-ROUTE-2] a prompt sent to chat becomes one user message', () => {
    expect(toChatRequest(parseTask({ prompt: 'p' }), { stream: false }).messages).toEqual([
      { role: 'user', content: 'p' },
    ]);
  });
});
