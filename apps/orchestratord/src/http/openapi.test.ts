import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mockPool, readSse, startTestDaemon, type TestDaemon } from '../__fixtures__/daemon-harness.js';
import { type Schema, validate } from './routes/__test-utils__/openapi-check.js';

const spec = parse(
  readFileSync(fileURLToPath(new URL('../../../../specs/openapi.yaml', import.meta.url)), 'utf8'),
) as Schema;
const schemas = (spec.components as { schemas: Record<string, Schema> }).schemas;

function responseSchema(path: string, method: string, status: string): Schema {
  const op = (spec.paths as Record<string, Record<string, { responses: Record<string, Schema> }>>)[path]![
    method
  ]!;
  let r = op.responses[status]!;
  if (typeof r.$ref === 'string')
    r = (spec.components as { responses: Record<string, Schema> }).responses[r.$ref.split('/').pop()!]!;
  const content = r.content as Record<string, { schema: Schema }>;
  return (content['application/json'] ?? content['text/event-stream'])!.schema;
}

function responseStatuses(path: string, method: string): string[] {
  const ops = spec.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
  return Object.keys(ops[path]![method]!.responses).sort();
}

function check(path: string, method: string, status: string, body: unknown): void {
  expect(validate(spec, responseSchema(path, method, status), body)).toEqual([]);
}

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon(
    [mockPool('p1', ['r0', 'r1'], { models: ['m1', '*'] })],
    {},
    { env: { ORCHD_ADMIN_TOKEN: 'admin-secret-1234' } },
  );
});
afterAll(() => d.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${d.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('the native API matches specs/openapi.yaml', () => {
  it('[ORCHD-API-1][ORCHD-API-2][ORCHD-API-3] tasks, task view and every SSE frame', async () => {
    const res = await post('/v2/tasks', { prompt: 'hi', model: 'm1' });
    const adm = (await res.json()) as { task_id: string };
    check('/v2/tasks', 'post', '202', adm);
    const events = await readSse(await fetch(`${d.url}/v2/tasks/${adm.task_id}/events`));
    for (const e of events) expect(validate(spec, schemas.SseEventData!, e.data)).toEqual([]);
    check('/v2/tasks/{id}', 'get', '200', await (await fetch(`${d.url}/v2/tasks/${adm.task_id}`)).json());
    check('/v2/tasks/{id}', 'get', '404', await (await fetch(`${d.url}/v2/tasks/nope`)).json());
    check('/v2/tasks', 'post', '400', await (await post('/v2/tasks', { prompt: 1 })).json());
  });

  it('[ORCHD-API-3] [ADAPTER-LOGPROB-1] token events with top_logprobs match the spec', async () => {
    const adm = (await (await post('/v2/tasks', { prompt: 'hi', model: 'm1', top_logprobs: 2 })).json()) as {
      task_id: string;
    };
    const events = await readSse(await fetch(`${d.url}/v2/tasks/${adm.task_id}/events`));
    const tokens = events.filter((e) => e.event === 'token');
    expect(tokens.length).toBeGreaterThan(0);
    for (const e of tokens) {
      expect(e.data.top_logprobs).toHaveLength(2);
      expect(validate(spec, schemas.SseEventData!, e.data)).toEqual([]);
    }
    const wrong = { ...tokens[0]!.data, top_logprobs: [{ text: 1, logprob: -1 }] };
    expect(validate(spec, schemas.TokenEvent!, wrong)).not.toEqual([]);
  });

  it('[ORCHD-API-5][ORCHD-API-6][ORCHD-API-7][ORCHD-API-8] batches, pools, models, capabilities, health', async () => {
    check(
      '/v2/batches',
      'post',
      '202',
      await (await post('/v2/batches', { tasks: [{ prompt: 'a' }, { prompt: 2 }] })).json(),
    );
    check('/v2/pools', 'get', '200', await (await fetch(`${d.url}/v2/pools`)).json());
    check('/v2/pools/{id}/health', 'get', '200', await (await fetch(`${d.url}/v2/pools/p1/health`)).json());
    check('/v2/models', 'get', '200', await (await fetch(`${d.url}/v2/models`)).json());
    check('/v2/meta/capabilities', 'get', '200', await (await fetch(`${d.url}/v2/meta/capabilities`)).json());
    check('/healthz', 'get', '200', await (await fetch(`${d.url}/healthz`)).json());
    check('/readyz', 'get', '200', await (await fetch(`${d.url}/readyz`)).json());
    check('/v2/pools/{id}/drain', 'post', '401', await (await post('/v2/pools/p1/drain', {})).json());
    const drained = await post('/v2/pools/p1/drain', {}, { authorization: 'Bearer admin-secret-1234' });
    check('/v2/pools/{id}/drain', 'post', '202', await drained.json());
    check('/v2/pools/{id}/undrain', 'post', '401', await (await post('/v2/pools/p1/undrain', {})).json());
    const admin = { authorization: 'Bearer admin-secret-1234' };
    check(
      '/v2/pools/{id}/undrain',
      'post',
      '404',
      await (await post('/v2/pools/zz/undrain', {}, admin)).json(),
    );
    const undrained = await post('/v2/pools/p1/undrain', {}, admin);
    expect(undrained.status).toBe(204);
    expect(responseStatuses('/v2/pools/{id}/undrain', 'post')).toEqual(['204', '401', '404']);
  });
});
