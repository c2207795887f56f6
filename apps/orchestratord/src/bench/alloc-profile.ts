// Where the daemon's garbage comes from: V8's sampling heap profiler (short-lived objects included)
// over a fixed number of non-streaming chat requests, printed as bytes per request by allocation site.
// Not part of run-all; a diagnostic for the GC pauses §1 shows (`node dist/bench/alloc-profile.js`).
// `--survivors` counts only objects that outlived a scavenge: what each scavenge copies, so what
// its pause is made of (garbage costs a scavenge nothing).
import type { Pool } from 'undici';
import { type BenchEnv, startEnv } from './bench-env.js';
import { chatBody, makePool, postJson } from './bench-http.js';
import { runIfMain } from './run-main.js';
import { note, printTable } from './table.js';

const WARM = 4_000;
const SAMPLED = 3_000;

async function closedLoop(pool: Pool, count: number): Promise<void> {
  const body = chatBody(16);
  let next = 0;
  const worker = async () => {
    while (next++ < count) await postJson(pool, '/v1/chat/completions', body);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export async function runAllocProfile(env: BenchEnv, survivors = false): Promise<Array<[string, number]>> {
  const pool = makePool(env.daemonUrl, 16);
  try {
    await closedLoop(pool, WARM);
    await env.daemon.request({ type: 'alloc-start', survivors });
    await closedLoop(pool, SAMPLED);
    const r = await env.daemon.request({ type: 'alloc-stop' }, 60_000);
    return Array.isArray(r.sites) ? (r.sites as Array<[string, number]>) : [];
  } finally {
    await pool.close();
  }
}

export function printAllocProfile(sites: Array<[string, number]>, survivors = false): void {
  const total = sites.reduce((n, [, b]) => n + b, 0);
  const what = survivors ? 'allocations that outlived a scavenge' : 'allocations';
  printTable(
    `daemon ${what} per non-stream 16-token /v1/chat/completions request (${SAMPLED} sampled, ` +
      `${(total / SAMPLED / 1024).toFixed(1)} KB/request in all)`,
    ['%', 'KB/req', 'site'],
    sites.slice(0, 25).map(([site, b]) => [(100 * b) / total, b / SAMPLED / 1024, site]),
  );
  note('sampled every 4 KB on average: sites under ~1% are noise.');
}

runIfMain(import.meta.url, async ({ survivors }) => {
  const env = await startEnv();
  try {
    printAllocProfile(await runAllocProfile(env, survivors), survivors);
  } finally {
    await env.close();
  }
});
