// Runs the built daemon in its own process for the benchmarks (started with --expose-gc so RSS can be
// read after a full collection). argv[2] is the daemon config as JSON. IPC: `ready {url}`, then
// requests `rss` (GC, then memory figures), `now` (clock), `stats` (the orchestrator's job counts).
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

/**
 * Finished jobs the daemon still holds for GET /v2/tasks/{id}. The count is not part of the public
 * API; the bench reads the store's getter so the memory table can tell retention from a leak.
 */
function retainedJobs(): number {
  const store = (daemon.orchestrator as unknown as { store?: { retainedCount?: unknown } }).store;
  return typeof store?.retainedCount === 'number' ? store.retainedCount : Number.NaN;
}

process.on('message', (m: ChildMessage) => {
  if (m.type === 'rss') {
    collect();
    const mem = process.memoryUsage();
    reply(m, {
      type: 'rss',
      gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      external: mem.external,
      arrayBuffers: mem.arrayBuffers,
      liveJobs: daemon.orchestrator.liveJobs,
      retainedJobs: retainedJobs(),
    });
  } else if (m.type === 'now') {
    reply(m, { type: 'now', t: performance.timeOrigin + performance.now() });
  } else if (m.type === 'cpu') {
    const u = process.cpuUsage();
    reply(m, { type: 'cpu', userUs: u.user, systemUs: u.system });
  }
});

exitWithParent(() => daemon.close(0));
process.send?.({ type: 'ready', url: daemon.url });
