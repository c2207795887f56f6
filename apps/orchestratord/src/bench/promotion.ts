// What each job leaves to the old generation: the bytes V8's scavenges promote per job, read from
// `--trace-gc-nvp`. That figure is what a scavenge pause is made of, and unlike a p99 it repeats
// within ±10% from run to run. The jobs go through an in-process scripted adapter (no sockets),
// once through the adapter alone and once through the orchestrator core, each in a child process.
// Not part of run-all; a diagnostic (`node dist/bench/promotion.js`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  AdapterBase,
  type AdapterProps,
  type HealthReport,
  type SourceEvent,
  type SourceYield,
  type TaskRequest,
} from '@orch/adapter-api';
import { z } from 'zod';
import { startDaemon } from '../daemon.js';
import { DAEMON_NODE_FLAGS } from '../runtime/node-flags.js';
import { runIfMain } from './run-main.js';
import { printTable } from './table.js';

const WARM = 4_000;
const MEASURED = 20_000;
const CONCURRENCY = 4;
const MODES = ['adapter', 'core', 'core-no-retention'] as const;
type Mode = (typeof MODES)[number];

export interface ScavengeSums {
  scavenges: number;
  promotedBytes: number;
  allocatedBytes: number;
  pauseMs: number;
}

/** Sums the scavenge lines of a `--trace-gc-nvp` log between the `MARK start` and `MARK end` lines. */
export function sumScavenges(log: string): ScavengeSums {
  const out: ScavengeSums = { scavenges: 0, promotedBytes: 0, allocatedBytes: 0, pauseMs: 0 };
  let inside = false;
  for (const line of log.split('\n')) {
    if (line.startsWith('MARK start')) inside = true;
    else if (line.startsWith('MARK end')) inside = false;
    else if (inside && line.includes(' gc=s ')) {
      const field = (name: string) => Number(new RegExp(`\\b${name}=([0-9.]+)`).exec(line)?.[1] ?? 0);
      out.scavenges++;
      out.promotedBytes += field('promoted');
      out.allocatedBytes += field('allocated');
      out.pauseMs += field('pause');
    }
  }
  return out;
}

/**
 * Answers at once: `started`, 16 tokens and `end` in one batch, after one turn of the event loop.
 * Not adapter-api's MockAdapter: it keeps its last 1,000 tasks, which is what this bench measures.
 */
class ScriptedAdapter extends AdapterBase {
  readonly engine = 'scripted';
  readonly id = 'scripted-0';
  protected modelFor(): string {
    return 'scripted';
  }
  protected engineVersion(): string {
    return '1';
  }
  async health(): Promise<HealthReport> {
    return { state: 'healthy', live: true, ready: true, latencyMs: 0, checkedAt: Date.now() };
  }
  async props(): Promise<AdapterProps> {
    const capabilities = { chat: true, tools: false, grammar: false, logprobs: true, streaming: true };
    return { engine: this.engine, engineVersion: '1', modelId: 'scripted', capabilities };
  }
  protected async *run(_task: TaskRequest): AsyncGenerator<SourceYield> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const batch: SourceEvent[] = [{ type: 'started', engine_version: '1' }];
    for (let i = 0; i < 16; i++) batch.push({ type: 'token', text: ` t${i}`, token_id: i, logprob: -0.5 });
    batch.push({
      type: 'end',
      finish_reason: 'length',
      text: 'x',
      usage: { prompt_tokens: 3, completion_tokens: 16 },
    });
    yield batch;
  }
}

const TASK = { messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 16, stream: false };

async function child(mode: Mode): Promise<void> {
  let one: () => Promise<unknown>;
  let close = async () => {};
  if (mode === 'adapter') {
    const adapter = new ScriptedAdapter();
    one = () => adapter.generate(TASK, { stream: false });
  } else {
    const plugin = {
      name: 'scripted',
      configSchema: z.object({}).strict(),
      create: () => new ScriptedAdapter(),
    };
    const daemon = await startDaemon(
      {
        server: { addr: '127.0.0.1:0', shutdown_grace_ms: 0 },
        log: { level: 'warn' },
        ...(mode === 'core-no-retention' ? { jobs: { max_retained: 0 } } : {}),
        pools: [
          {
            id: 'p',
            adapter: 'scripted',
            models: ['*'],
            replicas: [{ id: 'r', max_concurrent: 1024 }],
            queue: { capacity: 100_000, policy: 'reject' },
            health: { interval_ms: 100, healthy_after: 1 },
          },
        ],
      },
      { defaultMetrics: false, plugins: [plugin], env: {} },
    );
    close = () => daemon.close();
    while (!daemon.orchestrator.ready) await new Promise((r) => setTimeout(r, 20));
    one = () => daemon.orchestrator.submit(TASK, { correlationId: 'bench' }).result;
  }
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next++ < n) await one();
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  await run(WARM);
  process.stdout.write('MARK start\n');
  await run(MEASURED);
  process.stdout.write('MARK end\n');
  await close();
}

function measure(mode: Mode): ScavengeSums {
  const file = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, '--trace-gc-nvp', file], {
    env: { ...process.env, ORCHD_PROMOTION_CHILD: mode },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`promotion child '${mode}' failed: ${r.stderr.slice(0, 2000)}`);
  return sumScavenges(r.stdout);
}

const childMode = process.env.ORCHD_PROMOTION_CHILD as Mode | undefined;
if (childMode && MODES.includes(childMode)) {
  child(childMode).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
} else {
  runIfMain(import.meta.url, async () => {
    const rows = MODES.map((mode) => {
      const s = measure(mode);
      return [
        mode,
        s.scavenges,
        s.promotedBytes / MEASURED,
        s.allocatedBytes / MEASURED,
        (s.pauseMs * 1000) / MEASURED,
      ] as [string, number, number, number, number];
    });
    printTable(
      `bytes each job leaves to the old generation (${MEASURED} jobs, ${CONCURRENCY} in flight, in-process scripted adapter, ${DAEMON_NODE_FLAGS.join(' ')})`,
      ['path', 'scavenges', 'promoted B/job', 'allocated B/job', 'scavenge µs/job'],
      rows,
    );
  });
}
