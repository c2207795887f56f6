// Lets each bench section run alone (`node dist/bench/overhead.js`) as well as from run-all.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchArgs, parseBenchArgs } from './bench-args.js';
import { describeLoad } from './machine-load.js';

export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** Runs `fn` when `moduleUrl` is the entry point, with a hard time cap; exits when done. */
export function runIfMain(moduleUrl: string, fn: (args: BenchArgs) => Promise<void>, capMs = 600_000): void {
  if (!isMain(moduleUrl)) return;
  const cap = setTimeout(() => {
    process.stderr.write(`bench: over its ${capMs / 1000} s cap, stopping\n`);
    process.exit(2);
  }, capMs);
  cap.unref();
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  describeLoad()
    .then((load) => {
      process.stdout.write(`machine at start: ${load}\n`);
      return fn(args);
    })
    .then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(
          `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
        );
        process.exit(1);
      },
    );
}
