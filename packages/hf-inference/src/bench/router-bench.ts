import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { adapterContender, type Contender, floorContender, hfContender } from './contenders.js';

// [HF-BENCH-1] Client-side cost of consuming HF router (OpenAI chat-completions) streams: orch's
// adapter vs a bare floor vs @huggingface/inference's chatCompletionStream, all against the fake
// router running in a child process. Not part of the tests.
// Usage: node dist/bench/router-bench.js [--runs N] [--long TOKENS] [--streams N] [--tokens N] [--concurrency N]

interface Args {
  runs: number;
  long: number;
  streams: number;
  tokens: number;
  concurrency: number;
}

interface Sample {
  tokens: number;
  wallMs: number;
  cpuUs: number;
}

interface Result {
  name: string;
  tokensPerSec: number;
  cpuUsPerToken: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 5, long: 20_000, streams: 200, tokens: 256, concurrency: 16 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (key === undefined || !(key in args) || !Number.isInteger(value) || value <= 0) {
      throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    }
    args[key as keyof Args] = value;
  }
  return args;
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./fake-router-child.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

async function measure(fn: () => Promise<number>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const tokens = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { tokens, wallMs, cpuUs: cpu.user + cpu.system };
}

async function exactly(c: Contender, n: number): Promise<number> {
  const got = await c.run(n);
  if (got !== n) throw new Error(`${c.name}: expected ${n} tokens, got ${got}`);
  return got;
}

/** `total` streams of `tokens` each, `concurrency` at a time (a fixed worker pool, no unbounded fan-out). */
async function manyStreams(
  c: Contender,
  total: number,
  tokens: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  let sum = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      // Not `sum += await ...`: that reads `sum` before the await and loses concurrent updates.
      const got = await exactly(c, tokens);
      sum += got;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return sum;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median of `runs` samples per contender, contenders interleaved so machine drift hits all alike. */
async function scenario(
  title: string,
  contenders: Contender[],
  runs: number,
  one: (c: Contender) => Promise<number>,
): Promise<Result[]> {
  for (const c of contenders) await one(c); // warm-up: JIT, connections
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < runs; r++) {
    for (const c of contenders) {
      // Garbage left by the previous contender must not be billed to this one.
      globalThis.gc?.();
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
  print(title, results);
  return results;
}

function print(title: string, results: Result[]): void {
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

function verdict(results: Result[]): string {
  const [floor, adapter, hf] = results as [Result, Result, Result];
  const share = adapter.tokensPerSec / floor.tokensPerSec;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return (
    `throughput ${pct(share)} of the floor (target >= 85%: ${share >= 0.85 ? 'met' : 'NOT met'}), ` +
    `CPU/token ${(adapter.cpuUsPerToken / floor.cpuUsPerToken).toFixed(2)}x the floor; ` +
    `vs @huggingface/inference: ${(adapter.tokensPerSec / hf.tokensPerSec).toFixed(2)}x tokens/s, ` +
    `${(hf.cpuUsPerToken / adapter.cpuUsPerToken).toFixed(2)}x less CPU/token`
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { url, child } = await startServer();
  // Order matters for print(): the floor is the baseline, the adapter second, the HF client third.
  const contenders = [floorContender(url), adapterContender(url), hfContender(url)];
  console.log(
    `hf-inference router-mode bench: Node ${process.version}, fake router in a child process at ${url}, median of ${args.runs} runs`,
  );
  try {
    const long = await scenario(`1 × ${args.long}-token chat stream`, contenders, args.runs, (c) =>
      exactly(c, args.long),
    );
    const many = await scenario(
      `${args.streams} streams × ${args.tokens} tokens, concurrency ${args.concurrency}`,
      contenders,
      args.runs,
      (c) => manyStreams(c, args.streams, args.tokens, args.concurrency),
    );
    console.log(`\nlong stream: ${verdict(long)}`);
    console.log(`many streams: ${verdict(many)}`);
  } finally {
    await Promise.all(contenders.map((c) => c.close()));
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

await main();
