/**
 * Benchmark (not a test): the bundled causal LM through LocalTransformersAdapter (worker thread,
 * events) against transformers.js called directly on the main thread, in the same run.
 *   node dist/bench/generation-bench.js [--rounds N]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_MODEL, DEFAULT_MODELS_DIR } from '../adapter/adapter-options.js';
import { LocalTransformersAdapter } from '../adapter/local-transformers-adapter.js';
import { LM_LINES, LM_PROMPT_WORDS } from '../builder/corpus.js';

const PROMPTS = LM_LINES.map((l) => l.split(' ').slice(0, LM_PROMPT_WORDS).join(' '));
const MAX_TOKENS = 64;

interface Round {
  tokens: number;
  ms: number;
  ttftMs: number[];
}

interface Engine {
  /** Runs every prompt once, sequentially. */
  round(): Promise<Round>;
  close(): Promise<void>;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function directEngine(): Promise<Engine> {
  const t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.localModelPath = `${DEFAULT_MODELS_DIR}/`;
  const tokenizer = await t.AutoTokenizer.from_pretrained(DEFAULT_MODEL);
  const model = await t.AutoModelForCausalLM.from_pretrained(DEFAULT_MODEL);
  let tokens = 0;
  let first = 0;
  class Timer extends t.BaseStreamer {
    private seen = false;
    override put(): void {
      if (!this.seen) {
        this.seen = true;
        return;
      }
      if (first === 0) first = performance.now();
      tokens++;
    }
    override end(): void {}
  }
  return {
    async round() {
      tokens = 0;
      const ttftMs: number[] = [];
      const t0 = performance.now();
      for (const prompt of PROMPTS) {
        const s = performance.now();
        first = 0;
        const inputs = tokenizer(prompt);
        await model.generate({ ...inputs, max_new_tokens: MAX_TOKENS, streamer: new Timer() as never });
        ttftMs.push(first - s);
      }
      return { tokens, ms: performance.now() - t0, ttftMs };
    },
    async close() {
      await model.dispose();
    },
  };
}

async function adapterEngine(workers: number): Promise<Engine & { adapter: LocalTransformersAdapter }> {
  const adapter = new LocalTransformersAdapter({ workers, maxQueue: 64 });
  await adapter.load();
  return {
    adapter,
    async round() {
      let tokens = 0;
      const ttftMs: number[] = [];
      const t0 = performance.now();
      for (const prompt of PROMPTS) {
        const s = performance.now();
        let firstAt = 0;
        for await (const ev of adapter.submit({ prompt, max_tokens: MAX_TOKENS })) {
          if (ev.type === 'token') {
            if (firstAt === 0) firstAt = performance.now();
            tokens++;
          }
        }
        ttftMs.push(firstAt - s);
      }
      return { tokens, ms: performance.now() - t0, ttftMs };
    },
    close: () => adapter.close(),
  };
}

function summary(label: string, rounds: Round[]): { tps: number; line: string } {
  const tpsPerRound = rounds.map((r) => (r.tokens * 1000) / r.ms);
  const tps = percentile(tpsPerRound, 50);
  const ttft = rounds.flatMap((r) => r.ttftMs);
  const line = `${label.padEnd(26)} ${tps.toFixed(0).padStart(7)} tokens/s (median round)   ttft p50 ${percentile(ttft, 50).toFixed(2)} ms  p99 ${percentile(ttft, 99).toFixed(2)} ms`;
  return { tps, line };
}

async function loopDelayDuring(work: () => Promise<unknown>): Promise<{ p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await work();
  h.disable();
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

async function main(): Promise<void> {
  const roundsArg = process.argv.indexOf('--rounds');
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 40;
  process.stdout.write(
    `orch-tiny-llama, ${PROMPTS.length} prompts per round, ${rounds} rounds, max_tokens ${MAX_TOKENS}; ` +
      'direct and adapter rounds alternate so machine load hits both alike\n',
  );
  const direct = await directEngine();
  const viaAdapter = await adapterEngine(1);
  await direct.round(); // warm-up
  await viaAdapter.round();
  const directRounds: Round[] = [];
  const adapterRounds: Round[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const first = r % 2 === 0 ? direct : viaAdapter;
    const second = first === direct ? viaAdapter : direct;
    const a = await first.round();
    const b = await second.round();
    const [d, v] = first === direct ? [a, b] : [b, a];
    directRounds.push(d);
    adapterRounds.push(v);
    ratios.push(v.tokens / v.ms / (d.tokens / d.ms));
  }
  await viaAdapter.close();
  process.stdout.write(`${summary('direct (main thread)', directRounds).line}\n`);
  process.stdout.write(`${summary('adapter (worker + events)', adapterRounds).line}\n`);
  process.stdout.write(
    `throughput ratio adapter/direct: median ${percentile(ratios, 50).toFixed(2)}x, p10 ${percentile(ratios, 10).toFixed(2)}x, p90 ${percentile(ratios, 90).toFixed(2)}x (target >= 0.9x)\n`,
  );

  // Event-loop delay on the main thread while 4 generations run at once.
  const four = await adapterEngine(4);
  const concurrent = await loopDelayDuring(async () => {
    for (let r = 0; r < rounds; r++) {
      await Promise.all(
        [0, 1, 2, 3].map((i) =>
          four.adapter.generate({ prompt: PROMPTS[i % PROMPTS.length] ?? 'orch is', max_tokens: MAX_TOKENS }),
        ),
      );
    }
  });
  await four.close();
  process.stdout.write(
    `event-loop delay, 4 concurrent generations via adapter: p99 ${concurrent.p99.toFixed(2)} ms, max ${concurrent.max.toFixed(2)} ms (target p99 < 10 ms)\n`,
  );
  const inline = await loopDelayDuring(async () => {
    for (let r = 0; r < rounds; r++) await direct.round();
  });
  await direct.close();
  process.stdout.write(
    `event-loop delay, generating on the main thread (for contrast): p99 ${inline.p99.toFixed(2)} ms, max ${inline.max.toFixed(2)} ms\n`,
  );
  const idle = await loopDelayDuring(() => new Promise((r) => setTimeout(r, 1000)));
  process.stdout.write(
    `event-loop delay, idle for 1 s (machine noise floor): p99 ${idle.p99.toFixed(2)} ms\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
