import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTgi } from './fake-tgi.js';
import { RANDOM_SEED } from './generate-route.js';
import { headerOf, rawRequest } from './raw-http.js';
import type { FakeTgi } from './types.js';

let tgi: FakeTgi;
beforeAll(async () => {
  tgi = await startFakeTgi();
});
afterAll(() => tgi.close());

const post = (path: string, body: unknown) => rawRequest(tgi.url + path, { body });

describe('POST /generate', () => {
  it('[FAKE-GEN-1] answers generated_text only when details is not asked for', async () => {
    const r = await post('/generate', { inputs: 'Hello there', parameters: { max_new_tokens: 3 } });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('{"generated_text":" tok0 tok1 tok2"}');
  });

  it('[FAKE-GEN-2] details in TGI field order; EOS is special, logprob null, not in generated_text', async () => {
    const r = await post('/generate', {
      inputs: 'Hello',
      parameters: { max_new_tokens: 100, details: true },
    });
    const text = r.body.toString();
    const body = JSON.parse(text) as {
      generated_text: string;
      details: { tokens: { text: string; special: boolean; logprob: number | null }[] };
    };
    expect(Object.keys(body)).toEqual(['generated_text', 'details']);
    expect(Object.keys(body.details)).toEqual([
      'finish_reason',
      'generated_tokens',
      'seed',
      'prefill',
      'tokens',
    ]);
    expect(text).toContain('"finish_reason":"eos_token","generated_tokens":17,"seed":null,"prefill":[]');
    const last = body.details.tokens.at(-1)!;
    expect(last).toEqual({ id: 2, text: '</s>', logprob: null, special: true });
    expect(body.generated_text).not.toContain('</s>');
    expect(body.details.tokens.map((t) => t.text).join('')).toBe(`${body.generated_text}</s>`);
    expect(text).toContain('{"id":1000,"text":" tok0","logprob":-0.1,"special":false}');
  });

  it('[FAKE-GEN-3] sends the timing and count headers with lower-case names', async () => {
    const r = await post('/generate', { inputs: 'one two three', parameters: { max_new_tokens: 4 } });
    const names = r.rawHeaders.map(([k]) => k);
    for (const h of ['x-compute-type', 'x-compute-time', 'x-compute-characters', 'x-total-time']) {
      expect(names).toContain(h);
    }
    expect(headerOf(r, 'x-compute-type')).toBe('gpu+optimized');
    expect(headerOf(r, 'x-prompt-tokens')).toBe('3');
    expect(headerOf(r, 'x-generated-tokens')).toBe('4');
    expect(headerOf(r, 'x-compute-characters')).toBe('13');
    expect(headerOf(r, 'content-type')).toBe('application/json');
  });

  it('[FAKE-GEN-4] seed echoed only when sampling, u64 digits kept exactly', async () => {
    const seed = '18446744073709551557';
    const raw = `{"inputs":"a","parameters":{"do_sample":true,"seed":${seed},"max_new_tokens":1,"details":true}}`;
    const r = await rawRequest(`${tgi.url}/generate`, {
      body: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(r.body.toString()).toContain(`"seed":${seed},`);
    const greedy = await post('/generate', { inputs: 'a', parameters: { seed: 5, details: true } });
    expect(greedy.body.toString()).toContain('"seed":null');
    // No parameters object at all: TGI samples, with a random (here fixed) u64 seed.
    const dflt = await post('/generate', { inputs: 'a' });
    expect(dflt.status).toBe(200);
    const withTemp = await post('/generate', {
      inputs: 'a',
      parameters: { temperature: 0.5, details: true },
    });
    expect(withTemp.body.toString()).toContain(`"seed":${RANDOM_SEED}`);
  });

  it('[FAKE-GEN-5] stop sequence ends with stop_sequence and stays in the text', async () => {
    const r = await post('/generate', { inputs: 'a', parameters: { stop: [' tok2'], details: true } });
    const body = JSON.parse(r.body.toString()) as {
      generated_text: string;
      details: { finish_reason: string };
    };
    expect(body.generated_text).toBe(' tok0 tok1 tok2');
    expect(body.details.finish_reason).toBe('stop_sequence');
  });

  it('[FAKE-GEN-6] #tokens=N marker gives exactly N tokens ending by length', async () => {
    const r = await post('/generate', { inputs: 'go #tokens=40', parameters: { details: true } });
    const body = JSON.parse(r.body.toString()) as {
      details: { finish_reason: string; generated_tokens: number };
    };
    expect(body.details).toMatchObject({ finish_reason: 'length', generated_tokens: 40 });
    const capped = await post('/generate', { inputs: 'go #tokens=40', parameters: { max_new_tokens: 5 } });
    expect(capped.body.toString()).toBe('{"generated_text":" tok0 tok1 tok2 tok3 tok4"}');
  });

  it('[FAKE-GEN-7] top_n_tokens, decoder_input_details and best_of fill the extra details', async () => {
    const r = await post('/generate', {
      inputs: 'alpha beta',
      parameters: { max_new_tokens: 2, top_n_tokens: 2, decoder_input_details: true },
    });
    const body = JSON.parse(r.body.toString()) as {
      details: { prefill: { logprob: number | null }[]; top_tokens: unknown[][] };
    };
    expect(Object.keys(body.details)).toEqual([
      'finish_reason',
      'generated_tokens',
      'seed',
      'prefill',
      'tokens',
      'top_tokens',
    ]);
    expect(body.details.prefill).toHaveLength(2);
    expect(body.details.prefill[0]!.logprob).toBeNull();
    expect(body.details.top_tokens).toHaveLength(2);
    expect(body.details.top_tokens[0]).toHaveLength(2);
    const bo = await post('/generate', {
      inputs: 'a',
      parameters: { max_new_tokens: 2, best_of: 2, do_sample: true, details: true },
    });
    expect(JSON.parse(bo.body.toString()).details.best_of_sequences).toHaveLength(1);
  });

  it('[FAKE-GEN-8] json grammar forces a JSON answer matching the schema', async () => {
    const schema = { type: 'object', properties: { location: { type: 'string' }, n: { type: 'integer' } } };
    const r = await post('/generate', {
      inputs: 'a',
      parameters: { grammar: { type: 'json', value: schema } },
    });
    const body = JSON.parse(r.body.toString()) as { generated_text: string };
    expect(JSON.parse(body.generated_text)).toEqual({ location: 'Paris', n: 42 });
    const bad = await post('/generate', {
      inputs: 'a',
      parameters: { grammar: { type: 'json', value: {} } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.toString()).toBe(
      `{"error":"Input validation error: grammar is not valid: Grammar must have a 'properties' field","error_type":"validation"}`,
    );
  });

  it('[FAKE-GEN-9] compat POST / returns a one-element array with the prompt prepended', async () => {
    const r = await post('/', { inputs: 'Hi', parameters: { max_new_tokens: 2 } });
    expect(r.body.toString()).toBe('[{"generated_text":"Hi tok0 tok1"}]');
    const s = await post('/', { inputs: 'Hi', parameters: { max_new_tokens: 1 }, stream: true });
    expect(headerOf(s, 'content-type')).toBe('text/event-stream');
    expect(s.body.toString()).toContain('"generated_text":"Hi tok0"');
  });

  it('[FAKE-GEN-10] SageMaker /invocations dispatches by body shape', async () => {
    const r = await post('/invocations', { inputs: 'Hi', parameters: { max_new_tokens: 1 } });
    expect(r.body.toString()).toBe('[{"generated_text":"Hi tok0"}]');
  });
});

describe('TGI validation errors (422 JSON on /generate)', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ temperature: 0 }, '`temperature` must be strictly positive'],
    [{ top_p: 1 }, '`top_p` must be > 0.0 and < 1.0'],
    [{ typical_p: 0 }, '`typical_p` must be > 0.0 and < 1.0'],
    [{ top_k: 0 }, '`top_k` must be strictly positive'],
    [{ repetition_penalty: 0 }, '`repetition_penalty` must be strictly positive'],
    [{ frequency_penalty: 3 }, '`frequency_penalty` must be >= -2.0 and <= 2.0'],
    [{ max_new_tokens: 0 }, '`max_new_tokens` must be strictly positive'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, '`stop` supports up to 4 stop sequences. Given: 5'],
    [{ top_n_tokens: 6 }, '`top_n_tokens` must be >= 0 and <= 5. Given: 6'],
    [{ best_of: 2 }, 'you must use sampling when `best_of` is > 1'],
    [{ best_of: 2, do_sample: true, seed: 1 }, '`seed` must not be set when `best_of` > 1'],
    [{ best_of: 3, do_sample: true }, '`best_of` must be > 0 and <= 2. Given: 3'],
    [{ truncate: 0 }, '`truncate` must be strictly positive and less than 4095. Given: 0'],
  ];
  for (const [params, msg] of cases) {
    it(`[FAKE-VAL-1] ${JSON.stringify(params)}`, async () => {
      const r = await post('/generate', { inputs: 'a', parameters: params });
      expect(r.status).toBe(422);
      expect(headerOf(r, 'content-type')).toBe('application/json');
      expect(JSON.parse(r.body.toString())).toEqual({
        error: `Input validation error: ${msg}`,
        error_type: 'validation',
      });
    });
  }

  it('[FAKE-VAL-2] empty inputs and over-long inputs', async () => {
    const empty = await post('/generate', { inputs: '' });
    expect(JSON.parse(empty.body.toString()).error).toBe('Input validation error: `inputs` cannot be empty');
    const small = await startFakeTgi({ maxInputTokens: 3, maxTotalTokens: 100 });
    try {
      const total = await rawRequest(`${small.url}/generate`, {
        body: { inputs: 'a b', parameters: { max_new_tokens: 99 } },
      });
      expect(JSON.parse(total.body.toString()).error).toBe(
        'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 100. Given: 2 `inputs` tokens and 99 `max_new_tokens`',
      );
      // Only min(max_new_tokens, 1024) counts, so huge values pass the check on a big server.
      const huge = await post('/generate', { inputs: 'a', parameters: { max_new_tokens: 100_000 } });
      expect(huge.status).toBe(200);
      const long = await rawRequest(`${small.url}/generate`, { body: { inputs: 'a b c d e' } });
      expect(JSON.parse(long.body.toString()).error).toBe(
        'Input validation error: `inputs` must have less than 3 tokens. Given: 5',
      );
    } finally {
      await small.close();
    }
  });

  it('[FAKE-VAL-3] wrong types are axum plain-text 422s naming the field', async () => {
    const r = await post('/generate', { inputs: 'a', parameters: { stop: 'x' } });
    expect(r.status).toBe(422);
    expect(headerOf(r, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(r.body.toString()).toMatch(
      /^Failed to deserialize the JSON body into the target type: parameters\.stop: invalid type: string "x", expected a sequence at line 1 column \d+$/,
    );
    const missing = await post('/generate', { parameters: {} });
    expect(missing.body.toString()).toMatch(/: missing field `inputs` at line 1/);
    const nul = await post('/generate', { inputs: 'a', parameters: { details: null } });
    expect(nul.body.toString()).toContain('parameters.details: invalid type: null, expected a boolean');
    const neg = await post('/generate', { inputs: 'a', parameters: { max_new_tokens: -1 } });
    expect(neg.body.toString()).toContain('invalid value: integer `-1`, expected u32');
  });
});
