// What the contract costs per token: a source consumed directly (the baseline) against the same
// source consumed through createTokenStream, single events and batches of 64, in one run.
import type { SourceEvent, SourceYield } from '../events.js';
import { createTokenStream } from '../token-stream.js';

const N = 1_000_000;
const BATCH = 64;

async function* single(): AsyncGenerator<SourceEvent> {
  for (let i = 0; i < N; i++) yield { type: 'token', text: ' tok', token_id: i, logprob: -0.1 };
  yield { type: 'end', finish_reason: 'length' };
}

async function* batched(): AsyncGenerator<SourceYield> {
  for (let i = 0; i < N; i += BATCH) {
    const batch: SourceEvent[] = [];
    for (let j = 0; j < BATCH; j++)
      batch.push({ type: 'token', text: ' tok', token_id: i + j, logprob: -0.1 });
    yield batch;
  }
  yield { type: 'end', finish_reason: 'length' };
}

async function measure(name: string, run: () => Promise<number>): Promise<number> {
  const cpu = process.cpuUsage();
  const count = await run();
  const used = process.cpuUsage(cpu);
  const nsPerToken = ((used.user + used.system) * 1000) / count;
  console.log(`${name.padEnd(34)} ${nsPerToken.toFixed(0).padStart(6)} ns CPU/token`);
  return nsPerToken;
}

async function consume(source: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of source) n++;
  return n;
}

const through = (source: () => AsyncIterable<SourceYield>) =>
  consume(createTokenStream({ jobId: 'bench', engine: 'bench', model: 'bench', source }));

await measure('warm-up', () => through(batched));
const base = await measure('baseline: source alone', () => consume(single()));
const s = await measure('TokenStream, one event per step', () => through(single));
const b = await measure('TokenStream, batches of 64', () => through(batched));
console.log(`overhead per token: single ${(s - base).toFixed(0)} ns, batched ${(b - base).toFixed(0)} ns`);
console.log(`ratio to baseline: single ${(s / base).toFixed(2)}x, batched ${(b / base).toFixed(2)}x`);
