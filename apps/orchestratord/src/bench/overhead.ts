// §1 Overhead: non-streaming POST /v1/chat/completions at fixed open-loop rates, straight to the fake
// upstream, through a bare Node relay (the floor, relay-child.ts) and through the daemon: same client,
// same fake, same run. Overhead = the difference of the percentiles against direct. The daemon's own
// x-orch-overhead-ms header and its CPU time per request are shown next to it.
import type { Pool } from 'undici';
import type { BenchArgs } from './bench-args.js';
import { type BenchChild, spawnBenchChild } from './bench-child.js';
import { type BenchEnv, startEnv } from './bench-env.js';
import { chatBody, makePool, postJson } from './bench-http.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';
import { percentiles } from './percentiles.js';
import { runIfMain } from './run-main.js';
import { note, printTable } from './table.js';

const TIMEOUT_MS = 1_000;
const BODY = chatBody(16);

type Path = 'direct' | 'relay' | 'orchd';
const PATHS: Path[] = ['direct', 'relay', 'orchd'];

export interface OverheadRow {
  rate: number;
  runs: Record<Path, OpenLoopResult>;
  /** Process CPU time per request of the relay and of the daemon, µs. */
  cpuUsPerReq: { relay: number; orchd: number };
  /** The daemon's GC pauses during its slices. */
  gc: GcStats;
}

interface GcStats {
  count: number;
  majorCount: number;
  majorMaxMs: number;
  loopP99Ms: number;
  loopMaxMs: number;
  sumMs: number;
  maxMs: number;
  seconds: number;
}

function fireOn(pool: Pool, readHeader: boolean) {
  return async (signal: AbortSignal): Promise<number | undefined> => {
    const r = await postJson(pool, '/v1/chat/completions', BODY, signal);
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 120)}`);
    if (!r.text.includes('"choices"')) throw new Error('no choices in the answer');
    if (!readHeader) return undefined;
    const h = r.headers['x-orch-overhead-ms'];
    return typeof h === 'string' ? Number(h) : undefined;
  };
}

function merge(runs: OpenLoopResult[]): OpenLoopResult {
  return {
    sent: runs.reduce((n, r) => n + r.sent, 0),
    ok: runs.reduce((n, r) => n + r.ok, 0),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    latencies: runs.flatMap((r) => r.latencies),
    launchLag: runs.flatMap((r) => r.launchLag),
    reported: runs.flatMap((r) => r.reported),
    errors: runs.flatMap((r) => r.errors).slice(0, 5),
  };
}

/** Daemon warm-up requests (closed loop, bounded by count and by the client timeout per request). */
const WARM_DAEMON = 6_000;

async function warm(pool: Pool, count: number): Promise<void> {
  let next = 0;
  const fire = fireOn(pool, false);
  const worker = async () => {
    while (next++ < count) await fire(AbortSignal.timeout(TIMEOUT_MS)).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function cpuUs(child: BenchChild): Promise<number> {
  const r = await child.request({ type: 'cpu' });
  return Number(r.userUs) + Number(r.systemUs);
}

export async function runOverhead(env: BenchEnv, args: BenchArgs): Promise<OverheadRow[]> {
  await env.fake.request({ type: 'set-faults', faults: { firstTokenDelayMs: args.upstreamMs || null } });
  const relay = await spawnBenchChild('./relay-child.js', { upstream: env.upstreamUrl });
  const pools: Record<Path, Pool> = {
    direct: makePool(env.upstreamUrl),
    relay: makePool(String(relay.ready.url)),
    orchd: makePool(env.daemonUrl),
  };
  const slice = (path: Path, rate: number, durationMs: number) =>
    runOpenLoop({
      ratePerSec: rate,
      durationMs,
      timeoutMs: TIMEOUT_MS,
      fire: fireOn(pools[path], path === 'orchd'),
    });
  const rows: OverheadRow[] = [];
  try {
    // Warm every path (JIT, keep-alive connections) before anything is measured. The daemon needs
    // thousands of requests: its CPU per request falls ~4× over the first ~4,000 as V8 optimises it.
    await warm(pools.direct, 1_000);
    await warm(pools.relay, 2_000);
    await warm(pools.orchd, WARM_DAEMON);
    for (const rate of args.rates) {
      // The paths alternate in short slices (--slice-ms), so a change in background load on the
      // machine lands on all of them instead of biasing one: with 1 s slices the bare relay's p99
      // moved −12…+9 ms against direct from run to run, with 250 ms slices −1.7…+2.3 ms.
      const slices = Math.max(1, Math.round(args.durationMs / args.sliceMs));
      const sliceMs = args.durationMs / slices;
      const parts: Record<Path, OpenLoopResult[]> = { direct: [], relay: [], orchd: [] };
      const cpu = { relay: 0, orchd: 0 };
      const gc: GcStats = {
        count: 0,
        sumMs: 0,
        maxMs: 0,
        seconds: 0,
        majorCount: 0,
        majorMaxMs: 0,
        loopP99Ms: 0,
        loopMaxMs: 0,
      };
      for (let i = 0; i < slices; i++) {
        for (const p of PATHS) {
          const proc = p === 'orchd' ? env.daemon : p === 'relay' ? relay : undefined;
          const cpu0 = proc ? await cpuUs(proc) : 0;
          if (p === 'orchd') await env.daemon.request({ type: 'gc-stats' });
          parts[p].push(await slice(p, rate, sliceMs));
          if (proc && p !== 'direct') cpu[p] += (await cpuUs(proc)) - cpu0;
          if (p === 'orchd') {
            const g = await env.daemon.request({ type: 'gc-stats' });
            gc.count += Number(g.count);
            gc.sumMs += Number(g.sumMs);
            gc.maxMs = Math.max(gc.maxMs, Number(g.maxMs));
            gc.majorCount += Number(g.majorCount);
            gc.majorMaxMs = Math.max(gc.majorMaxMs, Number(g.majorMaxMs));
            gc.loopP99Ms = Math.max(gc.loopP99Ms, Number(g.loopP99Ms));
            gc.loopMaxMs = Math.max(gc.loopMaxMs, Number(g.loopMaxMs));
            gc.seconds += sliceMs / 1000;
          }
        }
      }
      const runs = { direct: merge(parts.direct), relay: merge(parts.relay), orchd: merge(parts.orchd) };
      rows.push({
        rate,
        runs,
        gc,
        cpuUsPerReq: {
          relay: cpu.relay / Math.max(1, runs.relay.sent),
          orchd: cpu.orchd / Math.max(1, runs.orchd.sent),
        },
      });
    }
  } finally {
    await Promise.all(PATHS.map((p) => pools[p].close()));
    await relay.close();
    await env.fake.request({ type: 'set-faults', faults: { firstTokenDelayMs: null } });
  }
  return rows;
}

export function printOverhead(rows: OverheadRow[], args: BenchArgs): void {
  const okPct = (x: OpenLoopResult) => (100 * x.ok) / Math.max(1, x.sent);
  const table = rows.flatMap((r) => {
    const d = percentiles(r.runs.direct.latencies);
    const out: (string | number)[][] = [];
    for (const p of PATHS) {
      const x = r.runs[p];
      const q = percentiles(x.latencies);
      const lag = percentiles(x.launchLag).p99!;
      const hdr = percentiles(x.reported);
      const orchd = p === 'orchd';
      out.push([
        r.rate,
        p,
        x.sent,
        okPct(x),
        q.p50!,
        q.p90!,
        q.p99!,
        lag,
        orchd ? hdr.p50! : '',
        orchd ? hdr.p99! : '',
        p === 'direct' ? '' : Math.round(r.cpuUsPerReq[p]),
        orchd ? r.gc.sumMs / Math.max(0.001, r.gc.seconds) : '',
        orchd ? r.gc.maxMs : '',
        orchd ? `${r.gc.majorCount} / ${r.gc.majorMaxMs.toFixed(1)}` : '',
        orchd ? `${r.gc.loopP99Ms.toFixed(1)} / ${r.gc.loopMaxMs.toFixed(1)}` : '',
      ]);
      if (p !== 'direct') {
        out.push([
          r.rate,
          `  ${p} − direct`,
          '',
          '',
          q.p50! - d.p50!,
          q.p90! - d.p90!,
          q.p99! - d.p99!,
          '',
          '',
          '',
          '',
        ]);
      }
    }
    return out;
  });
  printTable(
    `§1 Overhead: non-stream POST /v1/chat/completions, open loop, ${args.durationMs / 1000} s per path ` +
      `(${args.sliceMs} ms slices, paths alternating), upstream latency ${args.upstreamMs} ms, 16 tokens, ` +
      '1 s client timeout (ms)',
    [
      'req/s',
      'path',
      'sent',
      'ok %',
      'p50',
      'p90',
      'p99',
      'lag p99',
      'hdr p50',
      'hdr p99',
      'cpu µs/req',
      'gc ms/s',
      'gc max',
      'major n / max',
      'loop p99 / max',
    ],
    table,
  );
  note(
    'relay = a bare node:http + undici reverse proxy (the floor for any Node daemon); lag = how late the ' +
      "bench client launched requests (in every path's figures); hdr = the daemon's x-orch-overhead-ms " +
      "header; cpu = the relay's / daemon's process CPU time per request; gc = the daemon's GC pause " +
      "time per second of load and its longest pause; major = mark-compact collections among them; loop = the daemon's event-loop delay (worst 1 s slice).",
  );
  for (const r of rows) {
    for (const p of PATHS) {
      const x = r.runs[p];
      if (x.failed > 0) {
        note(`  ${r.rate} req/s ${p}: ${x.failed} failed, e.g. ${[...new Set(x.errors)].join(' | ')}`);
      }
    }
  }
  const cpuRatio = rows.map((r) => `${r.rate}: ${(r.cpuUsPerReq.orchd / r.cpuUsPerReq.relay).toFixed(1)}×`);
  note(`daemon CPU per request vs the bare relay's, by rate: ${cpuRatio.join(', ')}`);
  const at1000 = rows.find((r) => r.rate === 1000);
  if (at1000) {
    const o = at1000.runs.orchd;
    const p99 = percentiles(o.latencies).p99! - percentiles(at1000.runs.direct.latencies).p99!;
    const ok = o.ok === o.sent;
    note(
      `target p99 overhead ≤ 2 ms at 1000 req/s with 100% success: ${p99.toFixed(2)} ms, ` +
        `${okPct(o).toFixed(2)}% → ${p99 <= 2 && ok ? 'MET' : 'NOT MET'}`,
    );
  }
}

runIfMain(import.meta.url, async (args) => {
  const env = await startEnv();
  try {
    printOverhead(await runOverhead(env, args), args);
  } finally {
    await env.close();
  }
});
