// §4 Memory: the daemon's RSS and heap (each read after a forced full GC in the daemon process) before
// and after a long mixed run in which 10% of the requests are streams the client aborts mid-way.
// Closed loop at a fixed concurrency, bounded by a request count and a time cap.
import type { Pool } from 'undici';
import type { BenchArgs } from './bench-args.js';
import { type BenchEnv, startEnv } from './bench-env.js';
import { chatBody, generateBody, getJson, makePool, postJson, readStream, taskBody } from './bench-http.js';
import { runIfMain } from './run-main.js';
import { note, printTable } from './table.js';

const CONCURRENCY = 32;
/**
 * The daemon keeps up to 2,000 finished jobs (jobs.max_retained) for GET /v2/tasks/{id} (native jobs and
 * OpenAI requests with `store: true`), each with its
 * token log (up to 4,096 events). Which jobs sit in that window (an aborted 3,000-token stream or a
 * 16-token chat) moves the heap by tens of MB, which would hide a real leak or fake one. So before each
 * reference reading the window is flushed with identical small requests: the "before" and "after"
 * readings then hold the same retained set, and their difference is what the run left behind.
 */
const FLUSH = 2_100;
/** Length of the streams the client aborts after their first bytes. */
const ABORTED_TOKENS = 1_000;
/** Warm-up requests of the mix, before the first flush. */
const WARMUP = 3_000;

/** Kept by the daemon (`store: true`): OpenAI-compatible requests without it are not retained. */
const STORED_CHAT = JSON.stringify({ ...(JSON.parse(chatBody(16)) as object), store: true });

async function flushRetained(pool: Pool): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < FLUSH) await postJson(pool, '/v1/chat/completions', STORED_CHAT).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  // Let aborted upstream streams and closed sockets settle before reading.
  await new Promise((r) => setTimeout(r, 500));
}

interface MemSample {
  label: string;
  requests: number;
  rss: number;
  heapUsed: number;
  /** V8's committed heap: RSS that moves with it is the GC keeping pages, not a leak. */
  heapTotal: number;
  external: number;
  liveJobs: number;
  retainedJobs: number;
}

async function sample(env: BenchEnv, label: string, requests: number): Promise<MemSample> {
  const r = await env.daemon.request({ type: 'rss' });
  return {
    label,
    requests,
    rss: Number(r.rss),
    heapUsed: Number(r.heapUsed),
    heapTotal: Number(r.heapTotal),
    external: Number(r.external),
    liveJobs: Number(r.liveJobs),
    retainedJobs: Number(r.retainedJobs),
  };
}

/** Reads a stream until its first bytes, then aborts it (the socket closes mid-stream). */
async function abortedStream(pool: Pool, path: string, body: string): Promise<void> {
  const ac = new AbortController();
  try {
    const res = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.any([ac.signal, AbortSignal.timeout(10_000)]),
    });
    for await (const _chunk of res.body) {
      ac.abort();
      break;
    }
  } catch {
    // The abort itself surfaces here; that is the point of this request.
  }
}

/** Request i of the mix: 10% aborted streams, the rest spread over the daemon's main routes. */
async function oneRequest(pool: Pool, i: number): Promise<boolean> {
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
      return (await postJson(pool, '/v1/chat/completions', chatBody(16))).status === 200;
    case 4: {
      const body = JSON.stringify({ ...JSON.parse(chatBody(32)), stream: true });
      return (await readStream(pool, 'POST', '/v1/chat/completions', body, 'data:')).status === 200;
    }
    case 5:
    case 6:
      return (await readStream(pool, 'POST', '/generate_stream', generateBody(32), 'data:')).status === 200;
    case 7: {
      const sub = await postJson(pool, '/v2/tasks', taskBody(16));
      if (sub.status !== 202) return false;
      const id = (JSON.parse(sub.text) as { task_id: string }).task_id;
      const r = await readStream(
        pool,
        'GET',
        `/v2/tasks/${encodeURIComponent(id)}/events`,
        undefined,
        'event: token',
      );
      return r.status === 200;
    }
    case 8:
      return (await postJson(pool, '/generate', generateBody(16))).status === 200;
    default: {
      // Long enough to be cut mid-way; alternate the two streaming front ends. (Longer streams only
      // cost more CPU here: the fake floods them, and the daemon parses what it already read.)
      const path = (i / 10) % 2 < 1 ? '/generate_stream' : '/v1/chat/completions';
      const body =
        path === '/generate_stream'
          ? generateBody(ABORTED_TOKENS)
          : JSON.stringify({ ...JSON.parse(chatBody(ABORTED_TOKENS)), stream: true });
      await abortedStream(pool, path, body);
      return true;
    }
  }
}

interface LoadResult {
  done: number;
  failed: number;
  ms: number;
}

function load(pool: Pool, count: number, capMs: number): Promise<LoadResult> & { progress(): number } {
  let next = 0;
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + capMs;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const ok = await oneRequest(pool, i).catch(() => false);
      done++;
      if (!ok) failed++;
    }
  };
  const running = Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return Object.assign(
    running.then(() => ({ done, failed, ms: performance.now() - t0 })),
    { progress: () => done },
  );
}

export interface MemoryResult {
  samples: MemSample[];
  run: LoadResult;
  args: BenchArgs;
  /** The pool as GET /v2/pools shows it once the run settled: counters must be back to zero. */
  poolAfter: string;
}

interface PoolsBody {
  pools: Array<{
    queue: { depth: number };
    replicas: Array<{ id: string; state: string; inFlight: number; breaker: string }>;
  }>;
}

async function poolState(pool: Pool): Promise<string> {
  const r = await getJson(pool, '/v2/pools');
  if (r.status !== 200) return `GET /v2/pools: HTTP ${r.status}`;
  const body = JSON.parse(r.text) as PoolsBody;
  return body.pools
    .map((p) => {
      const reps = p.replicas.map((x) => `${x.id} ${x.state}, inFlight ${x.inFlight}, breaker ${x.breaker}`);
      return `queue depth ${p.queue.depth}; ${reps.join('; ')}`;
    })
    .join(' | ');
}

export async function runMemory(env: BenchEnv, args: BenchArgs): Promise<MemoryResult> {
  const pool = makePool(env.daemonUrl, CONCURRENCY * 2);
  const samples: MemSample[] = [];
  try {
    samples.push(await sample(env, 'fresh', 0));
    await load(pool, WARMUP, 30_000);
    await flushRetained(pool);
    samples.push(await sample(env, 'before (warm, flushed)', 0));
    const running = load(pool, args.memoryRequests, args.memoryMs);
    // Mid-run readings (each after a full GC, which briefly pauses the daemon) show the trend.
    let finished = false;
    void running.finally(() => {
      finished = true;
    });
    const every = Math.max(2_000, args.memoryMs / 4);
    let at = performance.now() + every;
    while (!finished) {
      await Promise.race([running, new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())))]);
      if (finished) break;
      samples.push(await sample(env, 'during', running.progress()));
      at += every;
    }
    const run = await running;
    await flushRetained(pool);
    samples.push(await sample(env, 'after (flushed)', run.done));
    return { samples, run, args, poolAfter: await poolState(pool) };
  } finally {
    await pool.close();
  }
}

const MB = 1024 * 1024;

export function printMemory(r: MemoryResult): void {
  const before = r.samples.find((s) => s.label.startsWith('before'))!;
  printTable(
    `§4 Memory: daemon RSS/heap after forced GC; mixed requests at concurrency ${CONCURRENCY}, ` +
      `10% aborted streams; default job retention, flushed with ${FLUSH} small chats before before/after (MB)`,
    [
      'when',
      'requests',
      'rss',
      'heap used',
      'heap total',
      'external',
      'Δrss',
      'Δheap',
      'live jobs',
      'retained',
    ],
    r.samples.map((s) => [
      s.label,
      s.requests,
      s.rss / MB,
      s.heapUsed / MB,
      s.heapTotal / MB,
      s.external / MB,
      s.label === 'fresh' ? '' : (s.rss - before.rss) / MB,
      s.label === 'fresh' ? '' : (s.heapUsed - before.heapUsed) / MB,
      s.liveJobs,
      s.retainedJobs,
    ]),
  );
  const after = r.samples.at(-1)!;
  const capped = r.run.done < r.args.memoryRequests;
  note(
    `ran ${r.run.done} requests (${r.run.failed} failed) in ${(r.run.ms / 1000).toFixed(1)} s` +
      `${capped ? ` — stopped by the ${r.args.memoryMs / 1000} s cap before --memory-requests ${r.args.memoryRequests}` : ''}` +
      `, ${Math.round(r.run.done / (r.run.ms / 1000))} req/s`,
  );
  note(`pool after the run: ${r.poolAfter}`);
  const dHeap = (after.heapUsed - before.heapUsed) / MB;
  const dRss = (after.rss - before.rss) / MB;
  const peak = Math.max(...r.samples.map((x) => x.rss)) / MB;
  const heapPeak = Math.max(...r.samples.map((x) => x.heapUsed)) / MB;
  // The heap after a full GC is exact: the leak test. RSS also holds what the allocator has not given
  // back to the OS since the run's peak, so it is reported against its own noise rule, separately.
  note(
    `leak test (heap after GC, same retained set): Δheap ${dHeap.toFixed(2)} MB → ` +
      `${dHeap < 2 ? 'no growth (MET)' : 'GROWTH (NOT MET)'}`,
  );
  const rssOk = dRss < Math.max(10, (before.rss / MB) * 0.1);
  note(
    `RSS: Δ ${dRss.toFixed(2)} MB (rule < max(10 MB, 10%) → ${rssOk ? 'MET' : 'NOT MET'}); peak during the run ` +
      `${peak.toFixed(0)} MB RSS / ${heapPeak.toFixed(0)} MB heap (the heap holds the 2,000 retained jobs' token logs)`,
  );
  // glibc gives each thread that mallocs an arena of its own and rarely returns their pages: RSS then
  // drifts with no heap growth. MALLOC_ARENA_MAX=2 in the daemon's environment bounds that.
  note(
    `allocator: MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset (glibc default: 8 arenas per core)'}; ` +
      `heap total (V8's committed pages) Δ ${((after.heapTotal - before.heapTotal) / MB).toFixed(2)} MB`,
  );
}

runIfMain(import.meta.url, async (args) => {
  const env = await startEnv();
  try {
    printMemory(await runMemory(env, args));
  } finally {
    await env.close();
  }
});
