import { type FakeTgi, startFakeHfRouter } from '@orch/fake-tgi';
import { afterEach, describe, expect, it } from 'vitest';
import { readSse, startTestDaemon, type TestDaemon } from '../__fixtures__/daemon-harness.js';

let d: TestDaemon | undefined;
let router: FakeTgi | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
  await router?.close();
  router = undefined;
});

const KEY = 'hf_fake_key_0123456789';

describe('end to end through HfInferenceAdapter against the fake HF router', () => {
  it('[ORCHD-CFG-2][ORCHD-SEC-4] the api key comes from the named env var, reaches the upstream, and is never logged', async () => {
    router = await startFakeHfRouter({ apiKey: KEY, tokens: { tokens: ['Hi', ' there'] } });
    d = await startTestDaemon(
      [
        {
          id: 'hf',
          adapter: 'hf-inference',
          models: ['fake-org/fake-model'],
          options: { model: 'fake-org/fake-model' },
          replicas: [{ id: 'router', url: router.url, api_key_env: 'HF_KEY' }],
          health: { interval_ms: 60_000, timeout_ms: 1000, unhealthy_after: 2, healthy_after: 1 },
        },
      ],
      {},
      { env: { HF_KEY: KEY } },
    );
    const res = await fetch(`${d.url}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'fake-org/fake-model',
        messages: [{ role: 'user', content: 'hello' }],
        max_tokens: 2,
      }),
    });
    expect(res.status).toBe(202);
    const { task_id } = (await res.json()) as { task_id: string };
    const events = await readSse(await fetch(`${d.url}/v2/tasks/${task_id}/events`));
    expect(events.at(-1)).toMatchObject({ event: 'end' });
    expect(
      events
        .filter((e) => e.event === 'token')
        .map((e) => e.data.text)
        .join(''),
    ).toBe('Hi there');
    const upstream = router.requests.find((r) => r.path.includes('/chat/completions'));
    expect(upstream?.headers.authorization).toBe(`Bearer ${KEY}`);
    await d.close();
    expect(d.logs.join('')).not.toContain(KEY);
    d = undefined;
  });
});
