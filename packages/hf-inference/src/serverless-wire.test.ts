import { isOrchError } from '@orch/adapter-api';
import { describe, expect, it } from 'vitest';
import { adapterHarness, collect } from './__fixtures__/adapter-harness.js';
import { type FakeRouter, startFakeRouter } from './testing/fake-router.js';

const KEY = 'hf_serverless_key';
const MODEL = 'HuggingFaceH4/zephyr-7b-beta';
let router: FakeRouter;
const make = adapterHarness(
  async () => (router = await startFakeRouter({ apiKey: KEY, models: [MODEL] })),
  (server) => ({
    model: MODEL,
    mode: 'serverless',
    apiKey: KEY,
    baseUrl: server.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    loading: { minDelayMs: 5, maxDelayMs: 20, maxWaitMs: 300 },
  }),
);

const posts = () => router.requests.filter((r) => r.method === 'POST');

describe('serverless mode against the fake router', () => {
  it('[HF-SL-1] posts {inputs, parameters, options, stream} to /models/{model} and parses the stream', async () => {
    const events = await collect(
      make().submit({ prompt: 'Once upon a time', max_tokens: 5, temperature: 0.7 }),
    );
    const req = posts().at(-1)!;
    expect(req.path).toBe(`/models/${MODEL}`);
    expect(req.body).toMatchObject({
      inputs: 'Once upon a time',
      parameters: {
        max_new_tokens: 5,
        temperature: 0.7,
        return_full_text: false,
        details: true,
        do_sample: true,
      },
      options: { use_cache: false, wait_for_model: false },
      stream: true,
    });
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(events[0]).toMatchObject({
      type: 'started',
      engine: 'hf-inference',
      engine_version: 'hf-serverless',
      model: MODEL,
    });
    const tokens = events.filter((e) => e.type === 'token');
    expect(tokens).toHaveLength(5);
    expect(tokens[0]).toMatchObject({ text: 'Hello', token_id: 1000, logprob: -0.5 });
    expect(events.at(-1)).toMatchObject({
      type: 'end',
      finish_reason: 'length',
      text: 'Hello, world! How',
      usage: { completion_tokens: 5, prompt_tokens: 4 },
    });
  });

  it('[HF-SL-1] useCache and waitForModel options are sent as the API options', async () => {
    await make({ useCache: true, waitForModel: true }).generate({ prompt: 'x' });
    expect(posts().at(-1)!.body).toMatchObject({ options: { use_cache: true, wait_for_model: true } });
  });

  it('[HF-SL-2] generate({stream:false}) reads the [{generated_text, details}] answer', async () => {
    const r = await make().generate({ prompt: 'Hi', max_tokens: 3 }, { stream: false });
    expect(posts().at(-1)!.body).toMatchObject({ stream: false });
    expect(r).toMatchObject({
      text: 'Hello, world',
      finish_reason: 'length',
      usage: { completion_tokens: 3 },
    });
  });

  it('[HF-SL-3] chat messages are refused as UNSUPPORTED naming the field, before any request', async () => {
    let caught: unknown;
    try {
      make().submit({ messages: [{ role: 'user', content: 'hi' }] });
    } catch (e) {
      caught = e;
    }
    expect(isOrchError(caught) && caught.code).toBe('UNSUPPORTED');
    expect(isOrchError(caught) && caught.field).toBe('messages');
    expect(posts()).toHaveLength(0);
  });

  it('[HF-LOAD-1] 503 {"error":"Model X is currently loading","estimated_time"} is waited out', async () => {
    router.fault({ kind: 'loading', estimatedTime: 0.005 });
    router.fault({ kind: 'loading', estimatedTime: 0.005 });
    const r = await make().generate({ prompt: 'x' });
    expect(r.text.length).toBeGreaterThan(0);
    expect(posts()).toHaveLength(3);
  });

  it('[HF-LOAD-1] a long load does not trip the circuit breaker (loading is an answer, not a failure)', async () => {
    for (let i = 0; i < 8; i++) router.fault({ kind: 'loading', estimatedTime: 0.001 });
    const a = make({
      breaker: { failureThreshold: 3, cooldownMs: 60_000 },
      loading: { minDelayMs: 2, maxWaitMs: 5000 },
    });
    const r = await a.generate({ prompt: 'x' });
    expect(r.text.length).toBeGreaterThan(0);
    expect(posts()).toHaveLength(9);
  });

  it('[HF-LOAD-2] waiting stops at the bound with a retriable MODEL_LOADING and never spins', async () => {
    for (let i = 0; i < 1000; i++) router.fault({ kind: 'loading', estimatedTime: 0.001 });
    const err = await make({ loading: { minDelayMs: 40, maxWaitMs: 150 } })
      .generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(isOrchError(err) && err.code).toBe('MODEL_LOADING');
    expect(isOrchError(err) && err.retriable).toBe(true);
    expect(isOrchError(err) && err.message).toContain(`Model ${MODEL} is currently loading`);
    // At least minDelayMs between attempts: 150 ms of budget allows at most 4 attempts.
    expect(posts().length).toBeGreaterThanOrEqual(2);
    expect(posts().length).toBeLessThanOrEqual(4);
  });

  it('[HF-SL-4] an in-stream error event becomes the error event of the job', async () => {
    router.fault({ kind: 'midstream-error', afterTokens: 2, error: 'Request failed during generation' });
    const events = await collect(make().submit({ prompt: 'x' }));
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'UPSTREAM_ERROR',
      tokens_emitted: 2,
      retriable: false,
    });
  });

  it('[HF-ERR-6] a serverless stream cut mid-way ends in error', async () => {
    router.fault({ kind: 'cut', afterTokens: 2, clean: true });
    const events = await collect(make().submit({ prompt: 'x' }));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'NETWORK', tokens_emitted: 2 });
  });

  it('[HF-ERR-2] an unknown model is NOT_FOUND', async () => {
    const err = await make({ model: 'nobody/nothing' })
      .generate({ prompt: 'x' })
      .catch((e: unknown) => e);
    expect(isOrchError(err) && err.code).toBe('NOT_FOUND');
    expect(isOrchError(err) && err.message).toBe('Model nobody/nothing does not exist');
  });
});
