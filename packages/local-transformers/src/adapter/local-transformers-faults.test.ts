import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isOrchError, type TokenEvent } from '@orch/adapter-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelsIntoTempDir } from '../__fixtures__/built-models.js';
import { LocalTransformersAdapter } from './local-transformers-adapter.js';

async function collect(iterable: AsyncIterable<TokenEvent>): Promise<TokenEvent[]> {
  const out: TokenEvent[] = [];
  for await (const ev of iterable) out.push(ev);
  return out;
}

describe('LocalTransformersAdapter workers, queue and failures', () => {
  let built: Awaited<ReturnType<typeof buildModelsIntoTempDir>>;
  const adapters: LocalTransformersAdapter[] = [];
  const make = (opts: ConstructorParameters<typeof LocalTransformersAdapter>[0] = {}) => {
    const a = new LocalTransformersAdapter({ modelsDir: built.dir, ...opts });
    adapters.push(a);
    return a;
  };
  beforeAll(async () => {
    built = await buildModelsIntoTempDir();
  });
  afterAll(async () => {
    for (const a of adapters) await a.close();
    await built.cleanup();
  });

  it('[LT-WORKER-1] a worker that crashes mid-stream fails that job (not retriable) and is replaced', async () => {
    const adapter = make({ workers: 1 });
    await adapter.load();
    adapter.injectFault('crash-after-first-token');
    const events = await collect(adapter.submit({ prompt: 'orch is' }));
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'error', code: 'INTERNAL', retriable: false, tokens_emitted: 1 });
    expect(last?.type === 'error' && last.message).toMatch(/exited \(code 3\)/);
    const next = await adapter.generate({ prompt: 'orch is' });
    expect(next.text).toBe('a job orchestrator for language models.');
    expect((await adapter.health()).state).toBe('healthy');
  });

  it('[LT-WORKER-2] a hung worker that cannot see the cancel is terminated and replaced', async () => {
    const settled: string[] = [];
    const adapter = new LocalTransformersAdapter(
      { modelsDir: built.dir, workers: 1, cancelGraceMs: 200 },
      { onJobSettled: (_id, how) => settled.push(how) },
    );
    adapters.push(adapter);
    await adapter.load();
    adapter.injectFault('spin-after-first-token');
    const stream = adapter.submit({ prompt: 'orch is', timeouts: { idle_ms: 100 } });
    const events = await collect(stream);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'TIMEOUT', timeout_phase: 'idle' });
    const next = await adapter.generate({ prompt: 'orch runs' });
    expect(next.text).toBe('small models in process, with no network at all.');
    expect(settled).toEqual(['terminated', 'end']);
    expect((await adapter.health()).state).toBe('healthy');
  });

  it('[LT-QUEUE-1] the per-model queue is bounded: a full queue refuses with retriable OVERLOADED', async () => {
    const adapter = make({ workers: 1, maxQueue: 1 });
    await adapter.load();
    adapter.injectFault('hang-after-first-token');
    const running = adapter.submit({ prompt: 'orch is' });
    await new Promise<void>((resolve) => running.once('token', () => resolve()));
    expect(await adapter.props()).toMatchObject({ slotsTotal: 1, slotsFree: 0 });
    const queued = adapter.generate({ prompt: 'orch sends' });
    const refused = await adapter.generate({ prompt: 'orch runs' }).catch((e: unknown) => e);
    expect(isOrchError(refused) && refused.code).toBe('OVERLOADED');
    expect(isOrchError(refused) && refused.retriable).toBe(true);
    expect(adapter.cancel(running.jobId)).toBe(true);
    expect((await running.result).type).toBe('error');
    expect((await queued).text).toBe('big jobs to text generation inference servers.');
    expect((await adapter.props()).slotsFree).toBe(1);
  });

  it('[LT-QUEUE-2] a job cancelled while waiting in the queue leaves it', async () => {
    const adapter = make({ workers: 1, maxQueue: 1 });
    await adapter.load();
    adapter.injectFault('hang-before-first-token');
    const running = adapter.submit({ prompt: 'orch is' });
    await new Promise<void>((resolve) => running.once('started', () => resolve()));
    const ac = new AbortController();
    const waiting = adapter.submit({ prompt: 'orch runs' }, { signal: ac.signal });
    const waitingResult = waiting.result;
    await new Promise((r) => setImmediate(r));
    ac.abort();
    expect(await waitingResult).toMatchObject({ type: 'error', code: 'CANCELLED' });
    // The queue has room again.
    const next = adapter.generate({ prompt: 'orch sends' });
    adapter.cancel(running.jobId);
    expect((await next).text).toBe('big jobs to text generation inference servers.');
  });

  it('[LT-HEALTH-2] a missing model is unhealthy with the reason, and jobs fail NOT_FOUND without network', async () => {
    const adapter = make({ model: 'no-such-model' });
    const err = await adapter.generate({ prompt: 'hi' }).catch((e: unknown) => e);
    expect(isOrchError(err) && err.code).toBe('NOT_FOUND');
    const health = await adapter.health();
    expect(health.state).toBe('unhealthy');
    expect(health.message).toMatch(/model no-such-model not found/);
  });

  it('[LT-LOAD-1] a model folder can be given by absolute path', async () => {
    const adapter = make({ model: join(built.dir, 'orch-tiny-llama'), modelsDir: '/nonexistent' });
    expect((await adapter.generate({ prompt: 'orch is' })).text).toBe(
      'a job orchestrator for language models.',
    );
    expect((await adapter.props()).modelId).toBe(join(built.dir, 'orch-tiny-llama'));
  });

  it('[LT-LOAD-2] a task may name another model folder by id, never by path', async () => {
    await cp(join(built.dir, 'orch-tiny-llama'), join(built.dir, 'second-llama'), { recursive: true });
    const adapter = make({ maxLoadedModels: 2 });
    const events = await collect(adapter.submit({ model: 'second-llama', prompt: 'orch is' }));
    expect(events[0]).toMatchObject({ type: 'started', model: 'second-llama' });
    expect(events.at(-1)).toMatchObject({ type: 'end', text: 'a job orchestrator for language models.' });
    const byPath = await adapter.generate({ model: '../etc', prompt: 'x' }).catch((e: unknown) => e);
    expect(isOrchError(byPath) && [byPath.code, byPath.field]).toEqual(['INVALID_REQUEST', 'model']);
    const missing = await adapter.generate({ model: 'nothing-here', prompt: 'x' }).catch((e: unknown) => e);
    expect(isOrchError(missing) && missing.code).toBe('NOT_FOUND');
  });

  it('[LT-GEN-9] chat input to a model without a chat template is UNSUPPORTED; its prompts still work', async () => {
    const dir = join(built.dir, 'no-chat-llama');
    await cp(join(built.dir, 'orch-tiny-llama'), dir, { recursive: true });
    const configPath = join(dir, 'tokenizer_config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    delete config.chat_template;
    await writeFile(configPath, JSON.stringify(config));
    const adapter = make({ model: 'no-chat-llama' });
    const err = await adapter
      .generate({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(isOrchError(err) && err.code).toBe('UNSUPPORTED');
    expect((await adapter.props()).capabilities.chat).toBe(false);
    expect((await adapter.generate({ prompt: 'orch runs' })).text).toBe(
      'small models in process, with no network at all.',
    );
  });

  it('[LT-HEALTH-3] a model that failed to load is tried again once its folder exists', async () => {
    const adapter = make({ model: 'late-llama', retryLoadMs: 0 });
    const first = await adapter.generate({ prompt: 'orch is' }).catch((e: unknown) => e);
    expect(isOrchError(first) && first.code).toBe('NOT_FOUND');
    await cp(join(built.dir, 'orch-tiny-llama'), join(built.dir, 'late-llama'), { recursive: true });
    expect((await adapter.generate({ prompt: 'orch is' })).text).toBe(
      'a job orchestrator for language models.',
    );
    expect((await adapter.health()).state).toBe('healthy');
  });
});
