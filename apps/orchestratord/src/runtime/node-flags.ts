// Node flags the daemon is meant to run with; V8 reads them only at process start, so they go on
// the command line (the root `start` script and README use them; the benchmarks start the daemon
// with them). Without a first old-generation size, V8 starts the old generation small and runs a
// mark-compact (5-10 ms pause) every few seconds at 1000 req/s while the heap settles; at 128 MB
// none ran in a 10 s bench run and the p99 overhead fell from ~10 ms to ~2 ms (BENCHMARKS.md).
export const DAEMON_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
