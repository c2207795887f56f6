// Starts what a bench section measures: the fake TGI upstream and the daemon, each in its own process
// (the daemon from the built dist, logs at warn, --expose-gc), with a tgi-http pool pointing at the
// fake. Both listen on 127.0.0.1 port 0.
import type { FakeTgiOptions } from '@orch/fake-tgi';
import { DAEMON_NODE_FLAGS } from '../runtime/node-flags.js';
import { type BenchChild, spawnBenchChild } from './bench-child.js';
import { makePool, waitPoolReady } from './bench-http.js';

export interface BenchEnv {
  fake: BenchChild;
  daemon: BenchChild;
  upstreamUrl: string;
  daemonUrl: string;
  close(): Promise<void>;
}

export const FAKE_OPTIONS: FakeTgiOptions = {
  // Long streams (20k tokens) must fit the fake's token budget.
  maxInputTokens: 1_000_000,
  maxTotalTokens: 2_000_000,
};

export function daemonConfig(
  upstreamUrl: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ...extra,
    server: { addr: '127.0.0.1:0', shutdown_grace_ms: 0 },
    // A variable nobody sets: the bench daemon runs without bearer auth, on loopback.
    auth: { tokens_env: ['ORCHD_BENCH_UNSET_TOKEN'] },
    log: { level: 'warn' },
    pools: [
      {
        id: 'bench',
        adapter: 'tgi-http',
        models: ['*'],
        replicas: [{ id: 'r0', url: upstreamUrl, max_concurrent: 1024 }],
        queue: { capacity: 100_000, policy: 'reject' },
      },
    ],
  };
}

export async function startEnv(
  fakeOpts: FakeTgiOptions = FAKE_OPTIONS,
  configExtra: Record<string, unknown> = {},
): Promise<BenchEnv> {
  const fake = await spawnBenchChild('./fake-child.js', fakeOpts);
  const upstreamUrl = String(fake.ready.url);
  let daemon: BenchChild;
  try {
    // ORCHD_BENCH_DAEMON_FLAGS adds node flags to the daemon only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`.
    const extraFlags = (process.env.ORCHD_BENCH_DAEMON_FLAGS ?? '').split(/\s+/).filter(Boolean);
    // The daemon runs with the flags it ships with (DAEMON_NODE_FLAGS, as `pnpm start` does).
    daemon = await spawnBenchChild('./daemon-child.js', daemonConfig(upstreamUrl, configExtra), [
      '--expose-gc',
      ...DAEMON_NODE_FLAGS,
      ...extraFlags,
    ]);
  } catch (err) {
    await fake.close();
    throw err;
  }
  const probe = makePool(String(daemon.ready.url), 1);
  try {
    await waitPoolReady(probe);
  } catch (err) {
    await daemon.close();
    await fake.close();
    throw err;
  } finally {
    await probe.close();
  }
  return {
    fake,
    daemon,
    upstreamUrl,
    daemonUrl: String(daemon.ready.url),
    async close() {
      await daemon.close();
      await fake.close();
    },
  };
}
