import type { TaskRequestInput } from '@orch/adapter-api';
import { type ConformanceHarness, runConformanceSuite } from '@orch/adapter-api/testing';
import { afterAll } from 'vitest';
import { buildModelsIntoTempDir } from '../__fixtures__/built-models.js';
import { LocalTransformersAdapter } from './local-transformers-adapter.js';

let models: Promise<Awaited<ReturnType<typeof buildModelsIntoTempDir>>> | undefined;
const modelsDir = async () => {
  models ??= buildModelsIntoTempDir();
  return (await models).dir;
};
afterAll(async () => {
  if (models) await (await models).cleanup();
});

async function createHarness(): Promise<ConformanceHarness> {
  let settledCancel: (() => void) | undefined;
  const cancelSeen = new Promise<void>((resolve) => {
    settledCancel = resolve;
  });
  // One worker and no waiting room, so a second job while one runs is a real OVERLOADED refusal.
  const adapter = new LocalTransformersAdapter(
    { modelsDir: await modelsDir(), workers: 1, maxQueue: 0, cancelGraceMs: 1_000 },
    {
      onJobSettled: (_id, how) => {
        if (how === 'acknowledged' || how === 'terminated') settledCancel?.();
      },
    },
  );
  await adapter.load();
  const task = (): TaskRequestInput => ({ prompt: 'orch streams', max_tokens: 40 });
  return {
    adapter,
    task,
    async fault(kind) {
      switch (kind) {
        case 'hang-before-first-token':
        case 'hang-after-first-token':
        case 'fail-after-first-token':
          adapter.injectFault(kind);
          return true;
        case 'fail-retriable-before-start': {
          adapter.injectFault('hang-before-first-token');
          const blocker = adapter.submit(task());
          // Wait until the blocker holds the only worker.
          await new Promise<void>((resolve) => blocker.once('started', () => resolve()));
          return true;
        }
        case 'unauthorized':
          return false;
      }
    },
    upstreamAborted: () => cancelSeen,
    cleanup: () => adapter.close(),
  };
}

runConformanceSuite('LocalTransformersAdapter (orch-tiny-llama)', createHarness, { timeoutMs: 150 });
