import { type ConformanceFault, runConformanceSuite } from '@orch/adapter-api/testing';
import { type FaultConfig, startFakeTgi } from '@orch/fake-tgi';
import { TgiHttpAdapter } from './tgi-http-adapter.js';

// [TGI-CONF-1] The shared WorkerAdapter contract, run against the real adapter over a real socket.

const FAULTS: Record<ConformanceFault, Partial<FaultConfig>> = {
  'hang-before-first-token': { stallBeforeHeaders: true },
  'hang-after-first-token': { stallAfterTokens: 1 },
  'fail-after-first-token': { cutAfterTokens: 1 },
  'fail-retriable-before-start': { overloaded429: true },
  unauthorized: { unauthorized: true },
};

const GENERATION_PATHS = new Set(['/generate_stream', '/generate', '/v1/chat/completions']);

runConformanceSuite('TgiHttpAdapter (fake-tgi)', async () => {
  const fake = await startFakeTgi();
  const adapter = new TgiHttpAdapter({ baseUrl: fake.url, retry: false });
  return {
    adapter,
    task: () => ({ prompt: 'Hello #tokens=5' }),
    async fault(kind) {
      await fake.setFaults(FAULTS[kind]);
      return true;
    },
    async upstreamAborted() {
      // The first generation request (a cold adapter asks /info first).
      for (let n = 1; n <= 8; n++) {
        const req = await fake.waitForRequest(n);
        if (GENERATION_PATHS.has(req.path)) return req.onAborted;
      }
      throw new Error('no generation request reached fake-tgi');
    },
    async cleanup() {
      await adapter.close();
      await fake.close();
    },
  };
});
