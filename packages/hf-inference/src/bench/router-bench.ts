import { fileURLToPath } from 'node:url';
import {
  exactly,
  manyStreams,
  parseBenchArgs,
  type Result,
  scenario,
  spawnChildServer,
} from '@orch/fake-tgi/bench';
import { chatFloorContender, hfAdapterContender, hfContender } from './contenders.js';

// [HF-BENCH-1] Client-side cost of consuming HF router (OpenAI chat-completions) streams: orch's
// adapter vs a bare floor vs @huggingface/inference's chatCompletionStream, all against the fake
// router running in a child process. Not part of the tests.
// Usage: node dist/bench/router-bench.js [--runs N] [--long TOKENS] [--streams N] [--tokens N] [--concurrency N]

const DEFAULTS = { runs: 5, long: 20_000, streams: 200, tokens: 256, concurrency: 16 };

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
  const args = parseBenchArgs(process.argv.slice(2), DEFAULTS);
  const server = await spawnChildServer(fileURLToPath(new URL('./fake-router-child.js', import.meta.url)));
  const { url } = server;
  // Order matters for the table and verdict(): the floor is the baseline, the adapter second, the HF client third.
  const contenders = [chatFloorContender(url), hfAdapterContender(url), hfContender(url)];
  console.log(
    `hf-inference router-mode bench: Node ${process.version}, fake router in a child process at ${url}, median of ${args.runs} runs`,
  );
  // Steady state, as in a running service: every contender gets the same passes to reach its JIT tiers.
  const opts = { runs: args.runs, warmups: 5 };
  try {
    const long = await scenario(`1 × ${args.long}-token chat stream`, contenders, opts, (c) =>
      exactly(c, args.long),
    );
    const many = await scenario(
      `${args.streams} streams × ${args.tokens} tokens, concurrency ${args.concurrency}`,
      contenders,
      opts,
      (c) => manyStreams(c, args.streams, args.tokens, args.concurrency),
    );
    console.log(`\nlong stream: ${verdict(long)}`);
    console.log(`many streams: ${verdict(many)}`);
  } finally {
    await Promise.all(contenders.map((c) => c.close()));
    await server.close();
  }
}

await main();
