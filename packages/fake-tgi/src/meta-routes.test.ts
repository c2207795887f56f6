import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTgi } from './fake-tgi.js';
import { headerOf, rawRequest } from './raw-http.js';
import type { FakeTgi } from './types.js';

let tgi: FakeTgi;
beforeAll(async () => {
  tgi = await startFakeTgi({
    apiKey: 'Secret-Key',
    modelId: 'org/m',
    maxInputTokens: 100,
    maxTotalTokens: 200,
  });
});
afterAll(() => tgi.close());

const auth = { authorization: 'Bearer Secret-Key' };

describe('info, health, models', () => {
  it('[FAKE-INFO-1] /info has the current fields in order and needs no key', async () => {
    const r = await rawRequest(`${tgi.url}/info`);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(
      '{"model_id":"org/m","model_sha":null,"model_pipeline_tag":"text-generation","max_concurrent_requests":128,"max_best_of":2,"max_stop_sequences":4,"max_input_tokens":100,"max_total_tokens":200,"validation_workers":2,"max_client_batch_size":4,"router":"text-generation-router","version":"3.3.6-dev0","sha":null,"docker_label":null}',
    );
  });

  it('[FAKE-INFO-2] legacyInfo uses the pre-2.1 names', async () => {
    const old = await startFakeTgi({ legacyInfo: true });
    try {
      const info = JSON.parse((await rawRequest(`${old.url}/info`)).body.toString()) as Record<
        string,
        unknown
      >;
      expect(info.max_input_length).toBe(4095);
      expect(info.max_input_tokens).toBeUndefined();
      expect(info.version).toBe('2.0.4');
      expect(Object.keys(info).slice(0, 4)).toEqual([
        'model_id',
        'model_sha',
        'model_dtype',
        'model_device_type',
      ]);
    } finally {
      await old.close();
    }
  });

  it('[FAKE-HEALTH-1] /health, /ping, GET / are 200 with an empty body; 503 when unhealthy', async () => {
    for (const path of ['/health', '/ping', '/']) {
      const r = await rawRequest(tgi.url + path);
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(0);
      expect(headerOf(r, 'content-length')).toBe('0');
      expect(headerOf(r, 'content-type')).toBeUndefined();
    }
    await tgi.setFaults({ unhealthy: true });
    const sick = await rawRequest(`${tgi.url}/health`);
    expect(sick.status).toBe(503);
    expect(sick.body.toString()).toBe('{"error":"unhealthy","error_type":"healthcheck"}');
    await tgi.setFaults({ unhealthy: false, healthDelayMs: 30 });
    const slow = await rawRequest(`${tgi.url}/health`);
    expect(slow.status).toBe(200);
    await tgi.setFaults({ healthDelayMs: undefined });
  });

  it('[FAKE-MODELS-1] /v1/models lists the served model', async () => {
    const r = await rawRequest(`${tgi.url}/v1/models`);
    expect(r.body.toString()).toBe(
      '{"object":"list","data":[{"id":"org/m","object":"model","created":0,"owned_by":"org/m"}]}',
    );
  });

  it('[FAKE-TOKENIZE-1] /tokenize gives pieces with byte offsets', async () => {
    const r = await rawRequest(`${tgi.url}/tokenize`, { body: { inputs: 'héllo world' }, headers: auth });
    expect(JSON.parse(r.body.toString())).toEqual([
      { id: 10000, text: 'héllo', start: 0, stop: 6 },
      { id: 10001, text: ' world', start: 6, stop: 12 },
    ]);
  });

  it('[FAKE-ROUTE-1] unknown path is 404 and wrong method 405, both empty', async () => {
    const missing = await rawRequest(`${tgi.url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.length).toBe(0);
    const wrong = await rawRequest(`${tgi.url}/generate`);
    expect(wrong.status).toBe(405);
  });
});

describe('auth and axum plain-text rejections', () => {
  it('[FAKE-AUTH-1] protected routes need the bearer key: 401 with an empty body', async () => {
    const none = await rawRequest(`${tgi.url}/generate`, { body: { inputs: 'a' } });
    expect(none.status).toBe(401);
    expect(none.body.length).toBe(0);
    const wrong = await rawRequest(`${tgi.url}/generate`, {
      body: { inputs: 'a' },
      headers: { authorization: 'Bearer x' },
    });
    expect(wrong.status).toBe(401);
    // TGI lower-cases both sides, so the comparison ignores case.
    const upper = await rawRequest(`${tgi.url}/generate`, {
      body: { inputs: 'a', parameters: { max_new_tokens: 1 } },
      headers: { authorization: 'BEARER secret-key' },
    });
    expect(upper.status).toBe(200);
    expect(tgi.requests.at(-1)!.headers.authorization).toBe('BEARER secret-key');
  });

  it('[FAKE-AUTH-2] the unauthorized fault rejects even a valid key, count-limited', async () => {
    await tgi.setFaults({ unauthorized: { count: 1 } });
    const first = await rawRequest(`${tgi.url}/generate`, { body: { inputs: 'a' }, headers: auth });
    const second = await rawRequest(`${tgi.url}/generate`, { body: { inputs: 'a' }, headers: auth });
    expect([first.status, second.status]).toEqual([401, 200]);
  });

  it('[FAKE-ERR-1] 415 without a JSON content-type, 400 on bad JSON, 413 over the payload limit', async () => {
    const noCt = await rawRequest(`${tgi.url}/generate`, { body: '{"inputs":"a"}', headers: auth });
    expect(noCt.status).toBe(415);
    expect(headerOf(noCt, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(noCt.body.toString()).toBe('Expected request with `Content-Type: application/json`');
    const json = { ...auth, 'content-type': 'application/json' };
    const bad = await rawRequest(`${tgi.url}/generate`, { body: '{"inputs":', headers: json });
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toMatch(
      /^Failed to parse the request body as JSON: .+ at line 1 column \d+$/,
    );
    const small = await startFakeTgi({ payloadLimit: 100 });
    try {
      const big = await rawRequest(`${small.url}/generate`, { body: { inputs: 'x'.repeat(200) } });
      expect(big.status).toBe(413);
      expect(big.body.toString()).toBe('Failed to buffer the request body: length limit exceeded');
    } finally {
      await small.close();
    }
    const plus = await rawRequest(`${tgi.url}/generate`, {
      body: '{"inputs":"a","parameters":{"max_new_tokens":1}}',
      headers: { ...auth, 'content-type': 'application/vnd.api+json; charset=utf-8' },
    });
    expect(plus.status).toBe(200);
  });

  it('[FAKE-ERR-2] plainTextError fault forces axum rejections', async () => {
    await tgi.setFaults({ plainTextError: { status: 413, count: 1 } });
    const r = await rawRequest(`${tgi.url}/generate`, { body: { inputs: 'a' }, headers: auth });
    expect(r.status).toBe(413);
    expect(r.body.toString()).toBe('Failed to buffer the request body: length limit exceeded');
    expect(tgi.faults.plainTextError).toBeUndefined();
  });
});
