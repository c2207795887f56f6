// How busy the machine is before a section starts. On a shared 2-core box the figures move with
// whatever else runs, so each section prints it, and run-all can wait (bounded) for a quiet moment.
import { cpus, loadavg } from 'node:os';

function totals(): { idle: number; all: number } {
  let idle = 0;
  let all = 0;
  for (const c of cpus()) {
    const t = c.times;
    idle += t.idle;
    all += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, all };
}

/** Share of all cores busy over `ms` (0..100), whoever used them. */
export async function cpuBusyPct(ms = 1_000): Promise<number> {
  const a = totals();
  await new Promise((r) => setTimeout(r, ms));
  const b = totals();
  const all = b.all - a.all;
  return all > 0 ? 100 * (1 - (b.idle - a.idle) / all) : 0;
}

export async function describeLoad(): Promise<string> {
  const busy = await cpuBusyPct();
  return `cpu busy ${busy.toFixed(0)}% (1 s sample, ${cpus().length} cores), load avg ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
}

/** Waits until the cores are at most `maxBusyPct` busy (2 s samples), for at most `maxWaitMs`. */
export async function waitForQuiet(maxBusyPct: number, maxWaitMs: number): Promise<string> {
  const until = performance.now() + maxWaitMs;
  let busy = await cpuBusyPct(2_000);
  while (busy > maxBusyPct && performance.now() < until) busy = await cpuBusyPct(2_000);
  return busy <= maxBusyPct
    ? `machine quiet enough (${busy.toFixed(0)}% busy)`
    : `machine still ${busy.toFixed(0)}% busy after waiting ${Math.round(maxWaitMs / 1000)} s; running anyway`;
}
