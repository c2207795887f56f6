import type { Contender } from './contender.js';

export interface Sample {
  tokens: number;
  wallMs: number;
  cpuUs: number;
}

export interface Result {
  name: string;
  tokensPerSec: number;
  cpuUsPerToken: number;
}

/** Wall time and this process's CPU (user + system) spent on `fn`, which resolves with its token count. */
export async function measure(fn: () => Promise<number>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const tokens = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { tokens, wallMs, cpuUs: cpu.user + cpu.system };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface ScenarioOptions {
  runs: number;
  /** Untimed passes over all contenders first (JIT tiers, connections, /info). */
  warmups?: number;
}

/**
 * Median of `runs` samples per contender, contenders interleaved so machine drift hits all alike, then
 * prints the table. The first contender is the floor the ratios are taken against.
 */
export async function scenario(
  title: string,
  contenders: Contender[],
  opts: ScenarioOptions,
  one: (c: Contender) => Promise<number>,
): Promise<Result[]> {
  for (let w = 0; w < (opts.warmups ?? 1); w++) for (const c of contenders) await one(c);
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < opts.runs; r++) {
    for (const c of contenders) {
      // No forced gc() between samples: a full collection resets V8's young-generation sizing and
      // pretenuring feedback, which bills the contender that allocates most (an event per token) for
      // a state a running service never sees. Interleaving and medians spread leftover garbage.
      const s = await measure(() => one(c));
      if (process.env.BENCH_DEBUG) console.log(c.name, Math.round(s.wallMs), Math.round(s.cpuUs / 1000));
      samples.get(c.name)!.push(s);
    }
  }
  const results = contenders.map((c) => {
    const list = samples.get(c.name)!;
    return {
      name: c.name,
      tokensPerSec: median(list.map((s) => (s.tokens * 1000) / s.wallMs)),
      cpuUsPerToken: median(list.map((s) => s.cpuUs / s.tokens)),
    };
  });
  printResults(title, results);
  return results;
}

/** The table: one row per contender, with its ratios to the first row (the floor). */
export function printResults(title: string, results: Result[]): void {
  const floor = results[0]!;
  console.log(`\n${title}`);
  console.log(
    `${'client'.padEnd(32)}${'tokens/s'.padStart(12)}${'CPU µs/token'.padStart(15)}${'tok/s vs floor'.padStart(16)}${'CPU vs floor'.padStart(14)}`,
  );
  for (const r of results) {
    console.log(
      r.name.padEnd(32) +
        Math.round(r.tokensPerSec).toLocaleString('en-US').padStart(12) +
        r.cpuUsPerToken.toFixed(2).padStart(15) +
        (r.tokensPerSec / floor.tokensPerSec).toFixed(2).padStart(16) +
        (r.cpuUsPerToken / floor.cpuUsPerToken).toFixed(2).padStart(14),
    );
  }
}
