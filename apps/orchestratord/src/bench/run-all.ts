// `pnpm bench`: every section in one run, each against a fresh daemon + fake upstream pair (children
// of this process), with the machine's state printed before each since a loaded 2-core box moves
// every figure.
import { cpus } from 'node:os';
import type { BenchArgs } from './bench-args.js';
import { type BenchEnv, startEnv } from './bench-env.js';
import { printCancellation, runCancellation } from './cancellation.js';
import { describeLoad, waitForQuiet } from './machine-load.js';
import { printMemory, runMemory } from './memory.js';
import { printOverhead, runOverhead } from './overhead.js';
import { runIfMain } from './run-main.js';
import { printStreaming, runStreaming } from './streaming.js';
import { note } from './table.js';

/** Cores at most this busy (other processes) count as quiet for --wait-quiet. */
const QUIET_BUSY_PCT = 25;

async function section<T>(
  args: BenchArgs,
  name: string,
  run: (env: BenchEnv) => Promise<T>,
  print: (r: T) => void,
): Promise<void> {
  const waited = args.waitQuietMs > 0 ? `; ${await waitForQuiet(QUIET_BUSY_PCT, args.waitQuietMs)}` : '';
  note(`\n[${new Date().toISOString()}] ${name}: before it, ${await describeLoad()}${waited}`);
  const env = await startEnv();
  try {
    print(await run(env));
    const logs = env.daemon.logLines;
    if (logs.count > 0) note(`daemon wrote ${logs.count} log lines at warn level, e.g. ${logs.first[0]}`);
  } finally {
    await env.close();
  }
}

export async function runAll(args: BenchArgs): Promise<void> {
  const t0 = performance.now();
  note(
    `orchestratord bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n` +
      'client, daemon (built dist, logs at warn) and fake TGI upstream each run in their own process on 127.0.0.1.',
  );
  await section(
    args,
    'overhead',
    (env) => runOverhead(env, args),
    (r) => printOverhead(r, args),
  );
  await section(args, 'streaming', runStreaming, printStreaming);
  await section(args, 'cancellation', (env) => runCancellation(env, args), printCancellation);
  await section(args, 'memory', (env) => runMemory(env, args), printMemory);
  note(
    `\nbench done in ${((performance.now() - t0) / 1000).toFixed(0)} s; after it, ${await describeLoad()}`,
  );
}

runIfMain(import.meta.url, runAll, 900_000);
