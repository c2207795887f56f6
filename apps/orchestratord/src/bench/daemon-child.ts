// Runs the built daemon in its own process for the benchmarks (started with --expose-gc so RSS can be
// read after a full collection). argv[2] is the daemon config as JSON. IPC: `ready {url}`, then
// requests `rss` (GC, then memory figures), `now` (clock), `stats` (the orchestrator's job counts).
import type { HeapProfiler } from 'node:inspector';
import { Session } from 'node:inspector/promises';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { startDaemon } from '../daemon.js';
import { type ChildMessage, exitWithParent, reply } from './bench-child.js';

const config: unknown = JSON.parse(process.argv[2] ?? '{}');
const daemon = await startDaemon(config as Parameters<typeof startDaemon>[0], { defaultMetrics: false });

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  // Twice: the first pass runs finalizers that free more on the second.
  gc();
  gc();
}

/** GC pauses since the last `gc-stats` request: they are what a p99 latency tail is often made of. */
const gcStats = { count: 0, sumMs: 0, maxMs: 0, majorCount: 0, majorMaxMs: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcStats.count++;
    gcStats.sumMs += e.duration;
    gcStats.maxMs = Math.max(gcStats.maxMs, e.duration);
    // Scavenges are cheap and frequent; a long tail from mark-compacts means objects live too long.
    const kind = (e as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      gcStats.majorCount++;
      gcStats.majorMaxMs = Math.max(gcStats.majorMaxMs, e.duration);
    }
  }
});
gcObserver.observe({ entryTypes: ['gc'] });

/** How late the daemon's event loop ran timers: a stall here delays every request in flight. */
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

/**
 * Finished jobs the daemon still holds for GET /v2/tasks/{id}. The count is not part of the public
 * API; the bench reads the store's getter so the memory table can tell retention from a leak.
 */
function retainedJobs(): number {
  const store = (daemon.orchestrator as unknown as { store?: { retainedCount?: unknown } }).store;
  return typeof store?.retainedCount === 'number' ? store.retainedCount : Number.NaN;
}

/** Allocation sites (self bytes) from V8's sampling heap profiler, collected objects included. */
let session: Session | undefined;

async function allocStart(survivors: boolean): Promise<void> {
  session ??= new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  // The two include* flags (V8 ≥ 11) count short-lived garbage too, which is what GC pressure is.
  // Without the minor-GC one, only what outlived a scavenge is counted: what each scavenge copies
  // and promotes, so what its pause length is made of.
  const params = {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !survivors,
  } as HeapProfiler.StartSamplingParameterType;
  await session.post('HeapProfiler.startSampling', params);
}

async function allocStop(): Promise<Array<[string, number]>> {
  if (!session) return [];
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const bySite = new Map<string, number>();
  // Iterative walk: profile trees can be deep.
  const stack: HeapProfiler.SamplingHeapProfileNode[] = [profile.head];
  for (let n = stack.pop(); n; n = stack.pop()) {
    const f = n.callFrame;
    const url = f.url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/');
    const site = `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
    if (n.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
    stack.push(...n.children);
  }
  return [...bySite].sort((a, b) => b[1] - a[1]);
}

process.on('message', (m: ChildMessage) => {
  if (m.type === 'alloc-start') {
    void allocStart(m.survivors === true).then(() => reply(m, { type: 'ok' }));
    return;
  }
  if (m.type === 'alloc-stop') {
    void allocStop().then((sites) => reply(m, { type: 'alloc', sites }));
    return;
  }
  if (m.type === 'rss') {
    collect();
    const mem = process.memoryUsage();
    reply(m, {
      type: 'rss',
      gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      external: mem.external,
      arrayBuffers: mem.arrayBuffers,
      liveJobs: daemon.orchestrator.liveJobs,
      retainedJobs: retainedJobs(),
    });
  } else if (m.type === 'now') {
    reply(m, { type: 'now', t: performance.timeOrigin + performance.now() });
  } else if (m.type === 'gc-stats') {
    reply(m, {
      type: 'gc-stats',
      ...gcStats,
      loopP99Ms: loopDelay.percentile(99) / 1e6,
      loopMaxMs: loopDelay.max / 1e6,
    });
    loopDelay.reset();
    gcStats.count = 0;
    gcStats.sumMs = 0;
    gcStats.maxMs = 0;
    gcStats.majorCount = 0;
    gcStats.majorMaxMs = 0;
  } else if (m.type === 'cpu') {
    const u = process.cpuUsage();
    reply(m, { type: 'cpu', userUs: u.user, systemUs: u.system });
  }
});

exitWithParent(async () => {
  gcObserver.disconnect();
  loopDelay.disable();
  await daemon.close(0);
});
process.send?.({ type: 'ready', url: daemon.url });
