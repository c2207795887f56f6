// Per-test setup the wire tests share: a fresh fake server before each test, and the adapter made on
// it plus the server closed after.
import type { TokenEvent } from '@orch/adapter-api';
import { afterEach, beforeEach } from 'vitest';
import { HfInferenceAdapter } from '../hf-inference-adapter.js';
import type { HfInferenceOptions } from '../hf-inference-options.js';

export async function collect(it: AsyncIterable<TokenEvent>): Promise<TokenEvent[]> {
  const out: TokenEvent[] = [];
  for await (const ev of it) out.push(ev);
  return out;
}

/**
 * Registers the hooks; `start` runs before each test (the caller keeps the server it returns), and the
 * returned `make` builds an adapter from `defaults(server)` plus the test's own options.
 */
export function adapterHarness<S extends { url: string; close(): Promise<void> }>(
  start: () => Promise<S>,
  defaults: (server: S) => HfInferenceOptions,
): (extra?: Partial<HfInferenceOptions>) => HfInferenceAdapter {
  let server: S | undefined;
  let adapter: HfInferenceAdapter | undefined;
  beforeEach(async () => {
    server = await start();
  });
  afterEach(async () => {
    await adapter?.close();
    adapter = undefined;
    await server?.close();
  });
  return (extra = {}) => {
    if (!server) throw new Error('adapterHarness: make() outside a test');
    adapter = new HfInferenceAdapter({ ...defaults(server), ...extra });
    return adapter;
  };
}
