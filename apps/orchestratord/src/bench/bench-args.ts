// Command-line flags shared by the bench entry points (`--name value` or `--name=value`).

export interface BenchArgs {
  /** Open-loop rates of the overhead section, req/s. */
  rates: number[];
  /** Duration of each overhead run, ms. */
  durationMs: number;
  /** Length of the slices the overhead paths alternate in, ms. */
  sliceMs: number;
  /** Fixed latency of the fake upstream in the overhead section, ms. */
  upstreamMs: number;
  /** Streams of the cancellation section. */
  cancelStreams: number;
  /** Requests of the memory section (upper bound; the time cap may stop it first). */
  memoryRequests: number;
  /** Time cap of the memory section, ms. */
  memoryMs: number;
  /** run-all: wait up to this long (ms) for the cores to be mostly idle before each section. */
  waitQuietMs: number;
  /** alloc-profile: count only objects that outlived a scavenge. */
  survivors: boolean;
}

export const DEFAULT_ARGS: BenchArgs = {
  rates: [200, 500, 1000, 2000],
  durationMs: 5_000,
  sliceMs: 250,
  upstreamMs: 5,
  cancelStreams: 200,
  memoryRequests: 100_000,
  memoryMs: 150_000,
  waitQuietMs: 0,
  survivors: false,
};

const HELP = `bench flags:
  --rates 200,500,1000,2000   overhead rates (req/s)
  --duration 5                seconds per overhead run
  --slice-ms 250              the overhead paths alternate in slices this long
  --upstream-ms 5             fixed fake-upstream latency in the overhead section
  --cancel-streams 200        streams cut in the cancellation section
  --memory-requests 100000    requests in the memory section (10% aborted streams)
  --memory-seconds 150        time cap of the memory section
  --wait-quiet 0              run-all: wait up to N s before each section for the cores to be <= 25% busy
  --survivors                 alloc-profile: only objects that outlived a scavenge`;

function num(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${flag} needs a number between ${min} and ${max} (got ${v ?? 'nothing'})\n\n${HELP}`);
  }
  return n;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const out: BenchArgs = { ...DEFAULT_ARGS, rates: [...DEFAULT_ARGS.rates] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = eq < 0 ? a : a.slice(0, eq);
    const value = () => (eq < 0 ? argv[++i] : a.slice(eq + 1));
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    } else if (flag === '--rates') {
      const v = value() ?? '';
      out.rates = v.split(',').map((r) => num('--rates', r, 1, 20_000));
    } else if (flag === '--duration') out.durationMs = num(flag, value(), 0.5, 120) * 1000;
    else if (flag === '--slice-ms') out.sliceMs = num(flag, value(), 50, 60_000);
    else if (flag === '--upstream-ms') out.upstreamMs = num(flag, value(), 0, 1000);
    else if (flag === '--cancel-streams') out.cancelStreams = num(flag, value(), 1, 10_000);
    else if (flag === '--memory-requests') out.memoryRequests = num(flag, value(), 100, 10_000_000);
    else if (flag === '--memory-seconds') out.memoryMs = num(flag, value(), 1, 3600) * 1000;
    else if (flag === '--wait-quiet') out.waitQuietMs = num(flag, value(), 0, 600) * 1000;
    else if (flag === '--survivors' && eq < 0) out.survivors = true;
    else throw new Error(`unknown flag '${a}'\n\n${HELP}`);
  }
  return out;
}
