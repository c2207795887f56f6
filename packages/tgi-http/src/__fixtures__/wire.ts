import type { TokenEvent } from '@orch/adapter-api';
import { type FakeTgi, startFakeTgi } from '@orch/fake-tgi';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TgiHttpAdapter, type TgiHttpAdapterOptions } from '../tgi-http-adapter.js';

// Shared by the wire tests: the real transport against @orch/fake-tgi (node:http on 127.0.0.1, port 0,
// TGI framing). useFakeTgi() registers the hooks; one fake per test file, reset after each test.

// Wire tests: the real transport against @orch/fake-tgi (node:http on 127.0.0.1, port 0, TGI framing).

export const ctx: { fake: FakeTgi } = { fake: undefined as unknown as FakeTgi };
const adapters: TgiHttpAdapter[] = [];

export function adapter(opts: Partial<TgiHttpAdapterOptions> = {}): TgiHttpAdapter {
  const a = new TgiHttpAdapter({ baseUrl: ctx.fake.url, retry: false, ...opts });
  adapters.push(a);
  return a;
}

export async function collect(stream: AsyncIterable<TokenEvent>): Promise<TokenEvent[]> {
  const out: TokenEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

export function last(events: TokenEvent[]): TokenEvent {
  return events[events.length - 1]!;
}

export function tokenCount(events: TokenEvent[]): number {
  return events.filter((e) => e.type === 'token').length;
}

/** The latest request to `path` the fake recorded. */
export function lastRequest(path: string) {
  const r = ctx.fake.requests.filter((q) => q.path === path).at(-1);
  if (!r) throw new Error(`no request to ${path}`);
  return r;
}

/** Registers beforeAll/afterEach/afterAll for a file of wire tests. */
export function useFakeTgi(): void {
  beforeAll(async () => {
    ctx.fake = await startFakeTgi();
  });

  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.close()));
    await ctx.fake.reset();
  });

  afterAll(async () => {
    await ctx.fake.close();
  });
}
