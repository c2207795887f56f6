import { isOrchError, parseTask, type TaskRequestInput } from '@orch/adapter-api';
import { serializeJsonBody } from '@orch/http-util';
import { describe, expect, it } from 'vitest';
import { modelSuffix, resolveOptions } from './hf-inference-options.js';
import { buildRouterBody, routerModelId, toRouterResponseFormat } from './router-request.js';
import { buildServerlessBody, serverlessPath } from './serverless-request.js';

const router = (t: TaskRequestInput, provider?: string) =>
  buildRouterBody(parseTask(t), { model: 'org/m', provider, stream: true });
const serverless = (t: TaskRequestInput) =>
  buildServerlessBody(parseTask(t), { stream: true, useCache: false, waitForModel: false });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('router request builder', () => {
  it('[HF-ROUTER-2] a prompt becomes one user message; messages keep roles, tool calls and ids', () => {
    expect(router({ prompt: 'hi' }).messages).toEqual([{ role: 'user', content: 'hi' }]);
    const msgs = router({
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', content: '42', tool_call_id: 'c1' },
      ],
    }).messages;
    expect(msgs).toEqual([
      { role: 'system', content: 'be brief' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', content: '42', tool_call_id: 'c1' },
    ]);
  });

  it('[HF-ROUTER-3] model suffixes: provider appended once, existing suffixes and policies kept', () => {
    expect(routerModelId('org/m', 'together')).toBe('org/m:together');
    expect(routerModelId('org/m:groq', 'together')).toBe('org/m:groq');
    expect(routerModelId('org/m:fastest', undefined)).toBe('org/m:fastest');
    expect(router({ prompt: 'x' }, 'cheapest').model).toBe('org/m:cheapest');
    expect(router({ prompt: 'x', model: 'other/m' }).model).toBe('other/m');
    expect(modelSuffix('org/m')).toBeUndefined();
    expect(modelSuffix('org/m:novita')).toBe('novita');
  });

  it('[HF-ROUTER-7] sampling parameters map to OpenAI fields', () => {
    const b = router({
      prompt: 'x',
      max_tokens: 10,
      temperature: 0.5,
      top_p: 1,
      frequency_penalty: 0.1,
      presence_penalty: 0.2,
      stop: ['\n'],
      top_k: 3,
      repetition_penalty: 1.1,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(b).toEqual({
      model: 'org/m',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 10,
      temperature: 0.5,
      top_p: 1,
      frequency_penalty: 0.1,
      presence_penalty: 0.2,
      stop: ['\n'],
      logprobs: true,
      top_logprobs: 2,
    });
    expect(router({ prompt: 'x', temperature: 0.9, do_sample: false }).temperature).toBe(0);
  });

  it('[HF-ROUTER-7] a u64 seed survives serialisation exactly', () => {
    const text = serializeJsonBody(router({ prompt: 'x', seed: '18446744073709551615' }));
    expect(text).toContain('"seed":18446744073709551615');
  });

  it('[HF-ROUTER-5] response_format: schema → json_schema, none → json_object, regex → UNSUPPORTED', () => {
    expect(toRouterResponseFormat({ type: 'json', schema: { type: 'object' } })).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: { type: 'object' } },
    });
    expect(toRouterResponseFormat({ type: 'json' })).toEqual({ type: 'json_object' });
    const err = thrown(() => router({ prompt: 'x', response_format: { type: 'regex', pattern: 'a+' } }));
    expect(isOrchError(err) && err.code).toBe('UNSUPPORTED');
    expect(isOrchError(err) && err.field).toBe('response_format');
  });

  it('[HF-ROUTER-4] tools and tool_choice pass through unchanged', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
    const b = router({ prompt: 'x', tools, tool_choice: { type: 'function', function: { name: 'f' } } });
    expect(b.tools).toEqual(tools);
    expect(b.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
  });
});

describe('serverless request builder', () => {
  it('[HF-SL-1] inputs, TGI parameters with return_full_text false, options and stream', () => {
    const b = serverless({ prompt: 'Once', max_tokens: 4, top_p: 1, temperature: 0.3, seed: 7, stop: ['.'] });
    expect(b).toEqual({
      inputs: 'Once',
      parameters: {
        do_sample: true,
        details: true,
        max_new_tokens: 4,
        temperature: 0.3,
        stop: ['.'],
        return_full_text: false,
        seed: 7n,
      },
      options: { use_cache: false, wait_for_model: false },
      stream: true,
    });
  });

  it('[HF-SL-3] messages are UNSUPPORTED, an empty prompt INVALID_REQUEST, tools refused', () => {
    const m = thrown(() => serverless({ messages: [{ role: 'user', content: 'x' }] }));
    expect(isOrchError(m) && [m.code, m.field]).toEqual(['UNSUPPORTED', 'messages']);
    const e = thrown(() => serverless({ prompt: '' }));
    expect(isOrchError(e) && [e.code, e.field]).toEqual(['INVALID_REQUEST', 'prompt']);
    const t = thrown(() =>
      serverless({ prompt: 'x', tools: [{ type: 'function', function: { name: 'f' } }] }),
    );
    expect(isOrchError(t) && t.field).toBe('tools');
  });

  it('[HF-SL-1] the model path keeps the slash and escapes the rest', () => {
    expect(serverlessPath('org/name-1.5')).toBe('/models/org/name-1.5');
    expect(serverlessPath('org/a b')).toBe('/models/org/a%20b');
  });
});

describe('options', () => {
  it('[HF-CFG-1] invalid options throw INVALID_REQUEST naming the field', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ model: '' }, 'options.model'],
      [{ model: 'a/b', mode: 'cloud' }, 'options.mode'],
      [{ model: 'a/b', mode: 'endpoint' }, 'options.baseUrl'],
      [{ model: 'a/b', baseUrl: 'ftp://x' }, 'options.baseUrl'],
      [{ model: 'a/b', provider: 'groq', mode: 'serverless' }, 'options.provider'],
      [{ model: 'a/b:together', provider: 'groq' }, 'options.provider'],
      [{ model: 'a/b', billTo: 'x\r\ny' }, 'options.billTo'],
      [{ model: 'a/b', nonsense: 1 }, 'options.(root)'],
    ];
    for (const [input, field] of cases) {
      const err = thrown(() => resolveOptions(input as never));
      expect(isOrchError(err) && err.code, JSON.stringify(input)).toBe('INVALID_REQUEST');
      expect(isOrchError(err) && err.field, JSON.stringify(input)).toBe(field);
    }
  });

  it('[HF-CFG-1] defaults: router mode, no cache, no server-side wait, 30 s health interval', () => {
    expect(resolveOptions({ model: 'a/b' })).toMatchObject({
      mode: 'router',
      useCache: false,
      waitForModel: false,
      healthIntervalMs: 30_000,
    });
  });
});
