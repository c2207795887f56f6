// Full stack: real clients → the daemon's compat APIs → tgi-http adapter → fake TGI on loopback.
// Checks what only a real upstream shows: EOS tokens, cancellation reaching the upstream socket.
import { textGenerationStream } from '@huggingface/inference';
import type { FakeTgi } from '@orch/fake-tgi';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../daemon.js';
import { startTgiDaemon, TGI_MODEL } from './__test-utils__/tgi-daemon.js';

let tgi: FakeTgi;
let d: Daemon;

beforeAll(async () => {
  ({ tgi, d } = await startTgiDaemon());
});
afterAll(async () => {
  await d.close(0);
  await tgi.close();
});
afterEach(() => tgi.reset());

describe('compat APIs over a TGI replica', () => {
  it('[ORCHD-TGI-2] /generate_stream relays the engine EOS as the last event with generated_text', async () => {
    const res = await fetch(`${d.url}/generate_stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: 'Hi', parameters: { max_new_tokens: 10, details: true } }),
    });
    const events = (await res.text())
      .trim()
      .split('\n\n')
      .map(
        (b) =>
          JSON.parse(b.slice(6)) as { index: number; token: { text: string; special: boolean } } & Record<
            string,
            unknown
          >,
      );
    const last = events.at(-1)!;
    expect(events.map((e) => e.index)).toEqual(events.map((_, i) => i + 1));
    expect(events.slice(0, -1).every((e) => e.generated_text === null)).toBe(true);
    expect(last.generated_text).toBe('Hello there!');
    expect(last.token.special).toBe(true);
    expect(last.details).toMatchObject({ finish_reason: 'eos_token' });
  });

  it('[ORCHD-OAI-7] an openai SDK abort closes the upstream TGI request', async () => {
    await tgi.setFaults({ stallAfterTokens: 1 });
    const client = new OpenAI({ baseURL: `${d.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: TGI_MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (text !== '') stream.controller.abort();
    }
    const upstream = tgi.requests.find((r) => r.path.startsWith('/v1/chat/completions'));
    expect(upstream).toBeDefined();
    await upstream?.onAborted;
    expect(upstream?.clientAborted).toBe(true);
  });

  it('[ORCHD-TGI-7] leaving a @huggingface/inference stream early closes the upstream request', async () => {
    await tgi.setFaults({ stallAfterTokens: 1 });
    const controller = new AbortController();
    const run = (async () => {
      for await (const _ of textGenerationStream(
        { endpointUrl: d.url, inputs: 'x' },
        { signal: controller.signal },
      )) {
        controller.abort();
      }
    })();
    await run.catch(() => undefined);
    const upstream = tgi.requests.find((r) => r.path.startsWith('/generate_stream'));
    expect(upstream).toBeDefined();
    await upstream?.onAborted;
    expect(upstream?.clientAborted).toBe(true);
  });
});
