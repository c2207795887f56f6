/** One client under test: consumes one stream of `tokens` tokens and resolves with the number of tokens seen. */
export interface Contender {
  name: string;
  run(tokens: number): Promise<number>;
  close(): Promise<void>;
}

/** The part of an orch adapter a contender uses (structural, so this package needs no adapter-api). */
export interface SubmittingAdapter<R> {
  submit(request: R): AsyncIterable<{ type: string; code?: unknown; message?: unknown }>;
  close(): Promise<void>;
}

/** An orch adapter through its whole stack, counting `token` events; an `error` event fails the run. */
export function adapterContender<R>(
  name: string,
  adapter: SubmittingAdapter<R>,
  request: (tokens: number) => R,
): Contender {
  return {
    name,
    async run(n) {
      let count = 0;
      for await (const ev of adapter.submit(request(n))) {
        if (ev.type === 'token') count++;
        else if (ev.type === 'error') throw new Error(`adapter error: ${ev.code} ${ev.message}`);
      }
      return count;
    },
    close: () => adapter.close(),
  };
}

/** One stream of exactly `n` tokens; any other count is an error (a contender that drops tokens is wrong). */
export async function exactly(c: Contender, n: number): Promise<number> {
  const got = await c.run(n);
  if (got !== n) throw new Error(`${c.name}: expected ${n} tokens, got ${got}`);
  return got;
}

/** `total` streams of `tokens` each, `concurrency` at a time (a fixed worker pool, no unbounded fan-out). */
export async function manyStreams(
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
