import { spawnFakeTgi } from '@orch/fake-tgi';
import {
  exactly,
  manyStreams,
  parseBenchArgs,
  type Result,
  type ScenarioOptions,
  scenario,
} from '@orch/fake-tgi/bench';
import {
  adapterChatContender,
  floorChatContender,
  generateFloorContender,
  hfChatContender,
  hfContender,
  sourceOnlyContender,
  tgiAdapterContender,
} from './contenders.js';

// [TGI-BENCH-1] Client-side cost of consuming TGI streams: orch's adapter vs a bare floor vs the
// @huggingface/inference client, all against @orch/fake-tgi running in a child process.
// Usage: node dist/bench/stream-bench.js [--runs N] [--long TOKENS] [--streams N] [--tokens N] [--concurrency N]
//        [--chat TOKENS (0 skips the chat-route scenario)]

const DEFAULTS = { runs: 5, chat: 20_000, long: 20_000, streams: 200, tokens: 256, concurrency: 16 };

async function main(): Promise<void> {
  // 0 is allowed: `--chat 0` skips the chat-route scenario.
  const args = parseBenchArgs(process.argv.slice(2), DEFAULTS, 0);
  // The upstream runs in its own process so the client's CPU figures are its own.
  const server = await spawnFakeTgi({ maxTotalTokens: 1_000_000, maxInputTokens: 4096 });
  const { url } = server;
  // The floor first: it is the baseline of every ratio.
  const contenders = [
    generateFloorContender(url),
    tgiAdapterContender(url),
    sourceOnlyContender(url),
    hfContender(url),
  ];
  const chatContenders = [floorChatContender(url), adapterChatContender(url), hfChatContender(url)];
  console.log(
    `tgi-http stream bench: Node ${process.version}, fake-tgi in a child process at ${url}, median of ${args.runs} runs`,
  );
  // Warm-up, twice each: JIT tiers, connections, /info.
  // Steady state, as in a running service: every contender gets the same passes to reach its JIT tiers.
  const opts: ScenarioOptions = { runs: args.runs, warmups: 5 };
  try {
    const long = await scenario(`1 × ${args.long}-token /generate_stream`, contenders, opts, (c) =>
      exactly(c, args.long),
    );
    const many = await scenario(
      `${args.streams} streams × ${args.tokens} tokens, concurrency ${args.concurrency}`,
      contenders,
      opts,
      (c) => manyStreams(c, args.streams, args.tokens, args.concurrency),
    );
    verdict(long);
    verdict(many);
    if (args.chat > 0) {
      // Not part of the target: how the shared OpenAI-chunk parser fares on TGI's chat route.
      await scenario(`1 × ${args.chat}-token /v1/chat/completions stream`, chatContenders, opts, (c) =>
        exactly(c, args.chat),
      );
    }
  } finally {
    await Promise.all([...contenders, ...chatContenders].map((c) => c.close()));
    await server.close();
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
