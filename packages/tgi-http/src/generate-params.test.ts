import { parseTask } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { caught } from './__fixtures__/caught.js';
import { buildGenerateBody, toGenerateParameters } from './generate-params.js';

const task = (t: Record<string, unknown>) => parseTask({ prompt: 'Hello', ...t });

describe('generate parameters', () => {
  it('[TGI-PARAM-1][TGI-PARAM-5] always sends parameters with explicit do_sample and details:true', () => {
    const body = JSON.parse(buildGenerateBody(task({})));
    expect(body).toEqual({ inputs: 'Hello', parameters: { do_sample: true, details: true } });
  });

  it('[TGI-PARAM-1] maps the sampling fields', () => {
    const p = toGenerateParameters(
      task({
        max_tokens: 32,
        temperature: 0.7,
        top_p: 0.9,
        top_k: 40,
        repetition_penalty: 1.1,
        frequency_penalty: 0.5,
      }),
    );
    expect(p).toEqual({
      do_sample: true,
      details: true,
      max_new_tokens: 32,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      repetition_penalty: 1.1,
      frequency_penalty: 0.5,
    });
  });

  it('[TGI-PARAM-2] leaves top_p out at 1.0 because TGI rejects it', () => {
    expect(toGenerateParameters(task({ top_p: 1 })).top_p).toBeUndefined();
    expect(toGenerateParameters(task({ top_p: 0.999 })).top_p).toBe(0.999);
  });

  it('[TGI-PARAM-3] temperature 0 is greedy: no temperature, do_sample false, no sampling filters', () => {
    const p = toGenerateParameters(task({ temperature: 0, top_p: 0.5, top_k: 3 }));
    expect(p.do_sample).toBe(false);
    expect(p.temperature).toBeUndefined();
    expect(p.top_p).toBeUndefined();
    expect(p.top_k).toBeUndefined();
  });

  it('[TGI-PARAM-3] do_sample:false is greedy even with a temperature', () => {
    const p = toGenerateParameters(task({ do_sample: false, temperature: 0.8 }));
    expect(p).toEqual({ do_sample: false, details: true });
  });

  it('[TGI-PARAM-4] stop goes as an array; more than max_stop_sequences is INVALID_REQUEST naming stop', () => {
    expect(toGenerateParameters(task({ stop: ['\n', 'END'] })).stop).toEqual(['\n', 'END']);
    const err = caught(() => toGenerateParameters(task({ stop: ['a', 'b', 'c', 'd', 'e'] })));
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.field).toBe('stop');
    expect(err.message).toMatch(/stop/);
    // The server's own limit (from /info) is honoured.
    expect(() => toGenerateParameters(task({ stop: ['a', 'b'] }), { maxStopSequences: 1 })).toThrow(
      /at most 1/,
    );
  });

  it('[TGI-PARAM-6] top_logprobs becomes top_n_tokens', () => {
    expect(toGenerateParameters(task({ logprobs: true, top_logprobs: 3 })).top_n_tokens).toBe(3);
    expect(toGenerateParameters(task({ logprobs: true })).top_n_tokens).toBeUndefined();
  });

  it('[TGI-PARAM-7] response_format becomes a json or regex grammar', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(toGenerateParameters(task({ response_format: { type: 'json', schema } })).grammar).toEqual({
      type: 'json',
      value: schema,
    });
    expect(
      toGenerateParameters(task({ response_format: { type: 'regex', pattern: '\\d+' } })).grammar,
    ).toEqual({
      type: 'regex',
      value: '\\d+',
    });
    const any = toGenerateParameters(task({ response_format: { type: 'json' } })).grammar;
    expect(any?.value).toHaveProperty('properties');
  });

  it('[TGI-PARAM-8] writes a u64 seed verbatim, beyond 2^53', () => {
    const seed = '18446744073709551615';
    const text = buildGenerateBody(task({ seed }));
    expect(text).toContain(`"seed":${seed}`);
    expect(text).toBe(`{"inputs":"Hello","parameters":{"seed":${seed},"do_sample":true,"details":true}}`);
    expect(buildGenerateBody(task({ seed: 42 }))).toContain('"seed":42,');
  });

  it('[TGI-PARAM-9] presence_penalty is not sent on /generate', () => {
    const text = buildGenerateBody(task({ presence_penalty: 1 }));
    expect(text).not.toContain('presence_penalty');
  });

  it('[TGI-ROUTE-2] messages and tools cannot go to /generate', () => {
    expect(
      caught(() => buildGenerateBody(parseTask({ messages: [{ role: 'user', content: 'x' }] }))).field,
    ).toBe('messages');
    const tools = [{ type: 'function', function: { name: 'f' } }];
    expect(caught(() => buildGenerateBody(task({ tools }))).field).toBe('tools');
    expect(caught(() => buildGenerateBody(task({ prompt: '' }))).field).toBe('prompt');
  });
});
