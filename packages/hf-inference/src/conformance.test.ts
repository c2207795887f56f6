import { type ConformanceFault, runConformanceSuite } from '@orch/adapter-api/testing';
import { startFakeTgi } from '@orch/fake-tgi';
import { HfInferenceAdapter } from './hf-inference-adapter.js';
import type { HfInferenceMode } from './hf-inference-options.js';
import { startFakeRouter } from './testing/fake-router.js';

const KEY = 'hf_conformance_key';

// [HF-CONF-1] Router and serverless modes against the fake router.
for (const mode of ['router', 'serverless'] as const satisfies readonly HfInferenceMode[]) {
  runConformanceSuite(`HfInferenceAdapter (${mode}, fake router)`, async () => {
    const router = await startFakeRouter({ apiKey: KEY });
    const adapter = new HfInferenceAdapter({
      model: 'fake/model',
      mode,
      apiKey: KEY,
      baseUrl: router.url,
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 },
      healthIntervalMs: 0,
    });
    return {
      adapter,
      task: () => ({ prompt: 'Tell me something nice', max_tokens: 8 }),
      fault(kind: ConformanceFault) {
        switch (kind) {
          case 'hang-before-first-token':
            router.fault({ kind: 'hang', afterTokens: 0 });
            return true;
          case 'hang-after-first-token':
            router.fault({ kind: 'hang', afterTokens: 1 });
            return true;
          case 'fail-after-first-token':
            router.fault({ kind: 'cut', afterTokens: 2 });
            return true;
          case 'fail-retriable-before-start':
            for (let i = 0; i < 2; i++)
              router.fault({ kind: 'status', status: 502, body: { error: 'Bad gateway' } });
            return true;
          case 'unauthorized':
            router.configure({ apiKey: 'hf_someone_else' });
            return true;
        }
      },
      upstreamAborted: () => router.nextAbort(),
      async cleanup() {
        await adapter.close();
        await router.close();
      },
    };
  });
}

// [HF-CONF-1] Endpoint mode: a dedicated Inference Endpoint is TGI, here the shared fake TGI.
runConformanceSuite('HfInferenceAdapter (endpoint, fake TGI)', async () => {
  const tgi = await startFakeTgi({ apiKey: KEY, tokens: { count: 8 } });
  const adapter = new HfInferenceAdapter({
    model: 'fake-org/fake-model',
    mode: 'endpoint',
    apiKey: KEY,
    baseUrl: tgi.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 },
    healthIntervalMs: 0,
  });
  return {
    adapter,
    task: () => ({ prompt: 'Tell me something nice', max_tokens: 8 }),
    async fault(kind: ConformanceFault) {
      switch (kind) {
        case 'hang-before-first-token':
          await tgi.setFaults({ stallBeforeHeaders: true });
          return true;
        case 'hang-after-first-token':
          await tgi.setFaults({ stallAfterTokens: 1 });
          return true;
        case 'fail-after-first-token':
          await tgi.setFaults({ cutAfterTokens: 2 });
          return true;
        case 'fail-retriable-before-start':
          await tgi.setFaults({ status5xx: { status: 503 } });
          return true;
        case 'unauthorized':
          await tgi.setFaults({ unauthorized: true });
          return true;
      }
    },
    async upstreamAborted() {
      // The first generation request (the inner TGI adapter asks /info first when cold).
      for (let n = 1; n <= 8; n++) {
        const req = await tgi.waitForRequest(n);
        if (req.method === 'POST') return req.onAborted;
      }
      throw new Error('no generation request reached fake-tgi');
    },
    async cleanup() {
      await adapter.close();
      await tgi.close();
    },
  };
});
