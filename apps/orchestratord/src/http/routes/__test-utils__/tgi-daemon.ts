// The full stack the compat end-to-end tests share: fake TGI on loopback, a daemon with one
// tgi-http pool on it, ready before the first test.
import { type FakeTgi, startFakeTgi } from '@orch/fake-tgi';
import type OpenAI from 'openai';
import { pino } from 'pino';
import { type Daemon, startDaemon } from '../../../daemon.js';
import { waitReady } from './mock-daemon.js';

export const TGI_MODEL = 'fake-org/fake-model';

export async function startTgiDaemon(): Promise<{ tgi: FakeTgi; d: Daemon }> {
  const tgi = await startFakeTgi({ modelId: TGI_MODEL, tokens: { tokens: ['Hello', ' there', '!'] } });
  const d = await startDaemon(
    {
      server: { addr: '127.0.0.1:0', shutdown_grace_ms: 0 },
      log: { level: 'silent' },
      pools: [
        {
          id: 'tgi',
          adapter: 'tgi-http',
          models: [TGI_MODEL, '*'],
          replicas: [{ id: 'r0', url: tgi.url }],
          health: { interval_ms: 50, timeout_ms: 500, unhealthy_after: 1, healthy_after: 1 },
        },
      ],
    },
    { env: {}, logger: pino({ level: 'silent' }), defaultMetrics: false },
  );
  await waitReady(d.url);
  return { tgi, d };
}

/** Streams a chat with 3 alternatives per token and returns each content chunk's alternatives. */
export async function streamedTopTokens(client: OpenAI, model: string): Promise<string[][]> {
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 3,
    logprobs: true,
    top_logprobs: 3,
    stream: true,
  });
  const seen: string[][] = [];
  for await (const c of stream) {
    const entry = c.choices[0]?.logprobs?.content?.[0];
    if (entry) seen.push(entry.top_logprobs.map((t) => t.token));
  }
  return seen;
}
