// specs/openapi-compat.yaml against the route modules: the same paths and methods, and real
// responses that satisfy the documented schemas.
import { MockAdapter } from '@orch/adapter-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryModelService } from './__test-utils__/memory-model-service.js';
import { MockOrchestrator } from './__test-utils__/mock-orchestrator.js';
import { loadSpec, responseSchema, type Schema, validate } from './__test-utils__/openapi-check.js';
import { type Harness, startHarness } from './__test-utils__/route-harness.js';
import { createLocalModelRoutes } from './local-models.js';
import { openaiRoutes } from './openai.js';
import { tgiRoutes } from './tgi.js';

const spec = loadSpec();
let h: Harness;

beforeAll(async () => {
  const orchestrator = new MockOrchestrator({
    adapters: { 'mock-model': new MockAdapter({ model: 'mock-model' }) },
  });
  h = await startHarness(orchestrator, [
    openaiRoutes,
    tgiRoutes,
    createLocalModelRoutes(new MemoryModelService()),
  ]);
});
afterAll(() => h.close());

async function json(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

function check(path: string, method: string, status: number, body: unknown, type = 'application/json'): void {
  const schema = responseSchema(spec, path, method, String(status), type);
  expect(validate(spec, schema, body)).toEqual([]);
}

describe('specs/openapi-compat.yaml', () => {
  it('[ORCHD-COMPAT-1] documents exactly the routes the modules register', () => {
    const registered = h.routes
      .map((r) => `${r.method} ${r.pattern.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(spec.paths as Record<string, Schema>)
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ['get', 'post', 'put', 'delete'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort();
    expect(registered).toEqual(documented);
  });

  it('[ORCHD-OAI-1] [ORCHD-OAI-4] [ORCHD-OAI-5] [ORCHD-OAI-6] OpenAI responses match the spec', async () => {
    const chat = await json('POST', '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] });
    check('/v1/chat/completions', 'post', 200, chat.body);
    // The checker itself catches a wrong shape.
    const chatSchema = responseSchema(spec, '/v1/chat/completions', 'post', '200', 'application/json');
    expect(
      validate(spec, chatSchema, { ...(chat.body as object), object: 'chat.completion.chunk' }),
    ).toHaveLength(1);
    expect(validate(spec, chatSchema, { id: 1 })).not.toEqual([]);
    const cmp = await json('POST', '/v1/completions', { prompt: 'x', logprobs: 1 });
    check('/v1/completions', 'post', 200, cmp.body);
    check('/v1/models', 'get', 200, (await json('GET', '/v1/models')).body);
    check('/v1/models/{model}', 'get', 200, (await json('GET', '/v1/models/mock-model')).body);
    const bad = await json('POST', '/v1/chat/completions', { messages: 'hi' });
    check('/v1/chat/completions', 'post', 400, bad.body);

    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    const chunks = (await res.text())
      .trim()
      .split('\n\n')
      .map((b) => b.slice(6))
      .filter((d) => d !== '[DONE]')
      .map((d) => JSON.parse(d) as unknown);
    const chunkSchema = (spec.components as { schemas: Record<string, Schema> }).schemas.ChatCompletionChunk!;
    for (const c of chunks) expect(validate(spec, chunkSchema, c)).toEqual([]);
  });

  it('[ORCHD-TGI-1] [ORCHD-TGI-2] [ORCHD-TGI-3] [ORCHD-TGI-5] TGI responses match the spec', async () => {
    const gen = await json('POST', '/generate', { inputs: 'x', parameters: { details: true } });
    check('/generate', 'post', 200, gen.body);
    const bad = await json('POST', '/generate', { inputs: '' });
    check('/generate', 'post', 422, bad.body);
    check('/info', 'get', 200, (await json('GET', '/info')).body);

    const res = await fetch(`${h.url}/generate_stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: 'x', parameters: { details: true } }),
    });
    const schema = responseSchema(spec, '/generate_stream', 'post', '200', 'text/event-stream');
    for (const block of (await res.text()).trim().split('\n\n')) {
      expect(validate(spec, schema, JSON.parse(block.slice(6)))).toEqual([]);
    }
  });

  it('[ORCHD-OAI-10] [ORCHD-TGI-9] answers with top-logprob alternatives match the spec', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const chat = await json('POST', '/v1/chat/completions', { messages, logprobs: true, top_logprobs: 2 });
    check('/v1/chat/completions', 'post', 200, chat.body);
    const cmp = await json('POST', '/v1/completions', { prompt: 'x', logprobs: 2 });
    check('/v1/completions', 'post', 200, cmp.body);
    const gen = await json('POST', '/generate', {
      inputs: 'x',
      parameters: { details: true, top_n_tokens: 2 },
    });
    check('/generate', 'post', 200, gen.body);
    // The checker catches an alternative of the wrong shape.
    const bad = structuredClone(gen.body) as { details: { top_tokens: unknown[][] } };
    bad.details.top_tokens[0] = [{ id: 1, text: 'a' }];
    const genSchema = responseSchema(spec, '/generate', 'post', '200', 'application/json');
    expect(validate(spec, genSchema, bad)).not.toEqual([]);

    const stream = async (path: string, body: unknown) =>
      (
        await (
          await fetch(`${h.url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).text()
      )
        .trim()
        .split('\n\n')
        .map((b) => b.slice(6))
        .filter((d) => d !== '[DONE]')
        .map((d) => JSON.parse(d) as unknown);
    const schemas = (spec.components as { schemas: Record<string, Schema> }).schemas;
    const chunks = await stream('/v1/chat/completions', {
      messages,
      logprobs: true,
      top_logprobs: 2,
      stream: true,
    });
    for (const c of chunks) expect(validate(spec, schemas.ChatCompletionChunk!, c)).toEqual([]);
    const events = await stream('/generate_stream', { inputs: 'x', parameters: { top_n_tokens: 2 } });
    expect(events.some((e) => (e as { top_tokens?: unknown }).top_tokens !== undefined)).toBe(true);
    const eventSchema = responseSchema(spec, '/generate_stream', 'post', '200', 'text/event-stream');
    for (const e of events) expect(validate(spec, eventSchema, e)).toEqual([]);
  });

  it('[ORCHD-LM-1] [ORCHD-LM-2] [ORCHD-LM-5] local model responses match the spec', async () => {
    const added = await json('POST', '/api/huggingface/models', {
      model_id: 'a/b',
      model_type: 'text-generation',
    });
    check('/api/huggingface/models', 'post', 201, added.body);
    check('/api/huggingface/models', 'get', 200, (await json('GET', '/api/huggingface/models')).body);
    check(
      '/api/huggingface/models/{model_id}',
      'get',
      200,
      (await json('GET', '/api/huggingface/models/a%2Fb')).body,
    );
    check(
      '/api/huggingface/models/{model_id}',
      'get',
      404,
      (await json('GET', '/api/huggingface/models/zz')).body,
    );
    const gen = await json('POST', '/api/huggingface/generate', { model_id: 'a/b', prompt: 'x' });
    check('/api/huggingface/generate', 'post', 200, gen.body);
    const bad = await json('POST', '/api/huggingface/models', { model_id: '' });
    check('/api/huggingface/models', 'post', 400, bad.body);
    check('/api/huggingface/statistics', 'get', 200, (await json('GET', '/api/huggingface/statistics')).body);
  });
});
