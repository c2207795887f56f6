import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTgi } from './fake-tgi.js';
import { fixtureNames, fixturePath, loadFixture } from './fixtures.js';
import { RANDOM_SEED } from './generate-route.js';
import { rawRequest, sseData } from './raw-http.js';
import type { FakeTgi } from './types.js';

/** Key order of every object, recursively (arrays by their first element), to compare wire shapes. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).map(([k, x]) => [k, shape(x)]);
  }
  return v === null ? null : typeof v;
}

const events = (text: string): unknown[] =>
  sseData(text).map((d) => (d === '[DONE]' ? d : (JSON.parse(d) as unknown)));

let tgi: FakeTgi;
beforeAll(async () => {
  tgi = await startFakeTgi({ tokens: { count: 3 } });
});
afterAll(() => tgi.close());

const fake = async (path: string, body: unknown) =>
  (await rawRequest(tgi.url + path, { body })).body.toString();
const weather = {
  type: 'function',
  function: { name: 'get_current_weather', parameters: { properties: { location: { type: 'string' } } } },
};

describe('canonical TGI wire fixtures', () => {
  it('[FAKE-FIX-1] are listed, resolve to files in the package fixtures/ dir, reject path tricks', () => {
    const names = fixtureNames();
    expect(names).toEqual(expect.arrayContaining(['generate-stream-eos.sse', 'chat-stream-tool-usage.sse']));
    for (const n of names) expect(existsSync(fixturePath(n))).toBe(true);
    expect(fixturePath('chat.json')).toMatch(/fake-tgi[/\\]fixtures[/\\]chat\.json$/);
    expect(() => fixturePath('../package.json')).toThrow();
  });

  it('[FAKE-FIX-2] every SSE fixture is `data: <json>\\n\\n` framed and every event parses', () => {
    for (const n of fixtureNames().filter((x) => x.endsWith('.sse'))) {
      const text = loadFixture(n);
      expect(text.endsWith('\n\n')).toBe(true);
      expect(() => events(text)).not.toThrow();
    }
    expect(loadFixture('generate-stream-no-space.sse').startsWith('data:{')).toBe(true);
    expect(loadFixture('generate-stream-eos.sse')).not.toContain('[DONE]');
    expect(loadFixture('chat-stream.sse').endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('[FAKE-FIX-3] generate_stream fixtures have the same shapes as the fake server', async () => {
    const fx = events(loadFixture('generate-stream-eos.sse'));
    const live = events(await fake('/generate_stream', { inputs: 'a', parameters: { details: true } }));
    expect(shape(live[0])).toEqual(shape(fx[0]));
    expect(shape(live.at(-1))).toEqual(shape(fx.at(-1)));
    const top = events(loadFixture('generate-stream-top-tokens.sse'));
    const liveTop = events(await fake('/generate_stream', { inputs: 'a', parameters: { top_n_tokens: 2 } }));
    expect(shape(liveTop[0])).toEqual(shape(top[0]));
    const seed = loadFixture('generate-stream-seed.sse');
    expect(seed).toContain(`"seed":${RANDOM_SEED},`);
    expect(Number(RANDOM_SEED) > Number.MAX_SAFE_INTEGER).toBe(true);
  });

  it('[FAKE-FIX-4] error fixtures equal what the fake server sends', async () => {
    expect(await fake('/generate_stream', { inputs: 'a', parameters: { top_p: 1 } })).toBe(
      loadFixture('generate-stream-validation-error.sse'),
    );
    expect(
      await fake('/v1/chat/completions', {
        messages: [{ role: 'user', content: 'a' }],
        stream: true,
        top_p: 1,
      }),
    ).toBe(loadFixture('chat-stream-error.sse'));
    await tgi.setFaults({ inStreamErrorAfterTokens: { after: 1, errorType: 'generation', count: 1 } });
    const live = events(await fake('/generate_stream', { inputs: 'a' }));
    expect(live.at(-1)).toEqual(events(loadFixture('generate-stream-error.sse')).at(-1));
  });

  it('[FAKE-FIX-5] chat, tool and completions fixtures have the same shapes as the fake server', async () => {
    const msgs = [{ role: 'user', content: 'a' }];
    const chat = events(loadFixture('chat-stream.sse'));
    const liveChat = events(await fake('/v1/chat/completions', { messages: msgs, stream: true }));
    expect(shape(liveChat[0])).toEqual(shape(chat[0]));
    expect(liveChat.at(-1)).toBe('[DONE]');
    const tool = events(loadFixture('chat-stream-tool-usage.sse'));
    const liveTool = events(
      await fake('/v1/chat/completions', {
        messages: msgs,
        tools: [weather],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(shape(liveTool[0])).toEqual(shape(tool[0]));
    expect(shape(liveTool[1])).toEqual(shape(tool[1]));
    expect(shape(liveTool.at(-2))).toEqual(shape(tool.at(-2)));
    const comp = events(loadFixture('completions-stream.sse'));
    const liveComp = events(await fake('/v1/completions', { prompt: 'a', stream: true }));
    expect(shape(liveComp[0])).toEqual(shape(comp[0]));
    expect(shape(liveComp.at(-2))).toEqual(shape(comp.at(-2)));
  });

  it('[FAKE-FIX-6] non-stream JSON fixtures have the same shapes as the fake server', async () => {
    const g = JSON.parse(await fake('/generate', { inputs: 'a', parameters: { details: true } })) as unknown;
    expect(shape(g)).toEqual(shape(JSON.parse(loadFixture('generate.json'))));
    const msgs = [{ role: 'user', content: 'a' }];
    const c = JSON.parse(await fake('/v1/chat/completions', { messages: msgs })) as unknown;
    expect(shape(c)).toEqual(shape(JSON.parse(loadFixture('chat.json'))));
    const t = JSON.parse(await fake('/v1/chat/completions', { messages: msgs, tools: [weather] })) as unknown;
    const fx = JSON.parse(loadFixture('chat-tool.json')) as unknown;
    expect(shape(t)).toEqual(shape(fx));
  });
  it('[FAKE-FIX-7] alternatives fixtures (top_tokens, chat top_logprobs) have the same shapes as the fake', async () => {
    const msgs = [{ role: 'user', content: 'a' }];
    const g = JSON.parse(
      await fake('/generate', { inputs: 'a', parameters: { details: true, top_n_tokens: 2 } }),
    ) as unknown;
    expect(shape(g)).toEqual(shape(JSON.parse(loadFixture('generate-top-tokens.json'))));
    const asked = { messages: msgs, logprobs: true, top_logprobs: 2 };
    const c = JSON.parse(await fake('/v1/chat/completions', asked)) as unknown;
    expect(shape(c)).toEqual(shape(JSON.parse(loadFixture('chat-logprobs.json'))));
    const fx = events(loadFixture('chat-stream-logprobs.sse'));
    const live = events(await fake('/v1/chat/completions', { ...asked, stream: true }));
    expect(shape(live[0])).toEqual(shape(fx[0]));
    expect(shape(live.at(-2))).toEqual(shape(fx.at(-2)));
    expect(live.at(-1)).toBe('[DONE]');
  });
});
