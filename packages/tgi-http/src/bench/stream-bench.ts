import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  adapterChatContender,
  adapterContender,
  type Contender,
  floorChatContender,
  floorContender,
  hfChatContender,
  hfContender,
  sourceOnlyContender,
} from './contenders.js';

// [TGI-BENCH-1] Client-side cost of consuming TGI streams: orch's adapter vs a bare floor vs the
// @huggingface/inference client, all against @orch/fake-tgi running in a child process.
// Usage: node dist/bench/stream-bench.js [--runs N] [--long TOKENS] [--streams N] [--tokens N] [--concurrency N]
//        [--chat TOKENS (0 skips the chat-route scenario)]

interface Args {
  runs: number;
  /** Tokens of the extra chat-route scenario (0 = skip it). */
  chat: number;
  long: number;
  streams: number;
  tokens: number;
  concurrency: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 5, chat: 20_000, long: 20_000, streams: 200, tokens: 256, concurrency: 16 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '') as keyof Args | undefined;
    const value = Number(argv[i + 1]);
    if (!key || !(key in args) || !Number.isInteger(value) || value < 0) {
      throw new Error(`bad argument ${argv[i]} ${argv[i + 1]}`);
    }
    args[key] = value;
  }
  return args;
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./fake-server-child.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  const { url } = JSON.parse(line) as { url: string };
  return { url, child };
}

interface Sample {
  tokens: number;
  wallMs: number;
  cpuUs: number;
}

async function measure(fn: () => Promise<number>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const tokens = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { tokens, wallMs, cpuUs: cpu.user + cpu.system };
}

/** `total` streams of `tokens` each, at most `concurrency` at a time. */
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
      const got = await c.run(tokens);
      if (got !== tokens) throw new Error(`${c.name}: expected ${tokens} tokens, got ${got}`);
      sum += got;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return sum;
}

async function oneLong(c: Contender, tokens: number): Promise<number> {
  const got = await c.run(tokens);
  if (got !== tokens) throw new Error(`${c.name}: expected ${tokens} tokens, got ${got}`);
  return got;
}

interface Result {
  name: string;
  tokensPerSec: number;
  cpuUsPerToken: number;
}

/** Median by CPU per token of `runs` samples, contenders interleaved so drift hits all alike. */
async function scenario(
  title: string,
  contenders: Contender[],
  runs: number,
  once: (c: Contender) => Promise<number>,
): Promise<Result[]> {
  // Warm-up, twice each: JIT tiers, connections, /info.
  for (let w = 0; w < 2; w++) for (const c of contenders) await once(c);
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < runs; r++) {
    for (const c of contenders) {
      if (global.gc) global.gc();
      samples.get(c.name)!.push(await measure(() => once(c)));
    }
  }
  const results = contenders.map((c) => {
    const list = samples.get(c.name)!.map((s) => ({
      tokensPerSec: (s.tokens * 1000) / s.wallMs,
      cpuUsPerToken: s.cpuUs / s.tokens,
    }));
    return {
      name: c.name,
      tokensPerSec: median(list.map((x) => x.tokensPerSec)),
      cpuUsPerToken: median(list.map((x) => x.cpuUsPerToken)),
    };
  });
  print(title, results);
  return results;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function print(title: string, results: Result[]): void {
  const floor = results.find((r) => r.name.startsWith('floor'))!;
  console.log(`\n${title}`);
  console.log(
    `${'client'.padEnd(32)}${'tokens/s'.padStart(12)}${'CPU µs/token'.padStart(15)}${'tok/s vs floor'.padStart(16)}${'CPU vs floor'.padStart(14)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(32)}${Math.round(r.tokensPerSec).toLocaleString('en-US').padStart(12)}${r.cpuUsPerToken.toFixed(2).padStart(15)}${(r.tokensPerSec / floor.tokensPerSec).toFixed(2).padStart(16)}${(r.cpuUsPerToken / floor.cpuUsPerToken).toFixed(2).padStart(14)}`,
    );
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { url, child } = await startServer();
  const contenders = [floorContender(url), adapterContender(url), sourceOnlyContender(url), hfContender(url)];
  const chatContenders = [floorChatContender(url), adapterChatContender(url), hfChatContender(url)];
  console.log(
    `tgi-http stream bench: Node ${process.version}, fake-tgi in a child process at ${url}, median of ${args.runs} runs`,
  );
  try {
    const long = await scenario(`1 × ${args.long}-token /generate_stream`, contenders, args.runs, (c) =>
      oneLong(c, args.long),
    );
    const many = await scenario(
      `${args.streams} streams × ${args.tokens} tokens, concurrency ${args.concurrency}`,
      contenders,
      args.runs,
      (c) => manyStreams(c, args.streams, args.tokens, args.concurrency),
    );
    verdict(long);
    verdict(many);
    if (args.chat > 0) {
      // Not part of the target: how the shared OpenAI-chunk parser fares on TGI's chat route.
      await scenario(`1 × ${args.chat}-token /v1/chat/completions stream`, chatContenders, args.runs, (c) =>
        oneLong(c, args.chat),
      );
    }
  } finally {
    await Promise.all([...contenders, ...chatContenders].map((c) => c.close()));
    child.kill('SIGTERM');
  }
}

function verdict(results: Result[]): void {
  const floor = results.find((r) => r.name.startsWith('floor'))!;
  const adapter = results.find((r) => r.name.startsWith('orch TgiHttpAdapter'))!;
  const hf = results.find((r) => r.name.startsWith('@huggingface'))!;
  const within = adapter.tokensPerSec >= floor.tokensPerSec * 0.85;
  const faster = adapter.tokensPerSec > hf.tokensPerSec;
  console.log(
    `target: adapter within 15% of the floor's throughput: ${within ? 'yes' : 'NO'} (${((adapter.tokensPerSec / floor.tokensPerSec) * 100).toFixed(0)}%); faster than @huggingface/inference: ${faster ? 'yes' : 'NO'} (${(adapter.tokensPerSec / hf.tokensPerSec).toFixed(2)}×)`,
  );
}

await main();
