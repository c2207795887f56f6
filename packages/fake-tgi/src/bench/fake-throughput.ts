/**
 * How fast the fake server emits tokens, so benchmarks know it is not their bottleneck. Compares the fake
 * against a baseline node:http server that writes the same pre-built bytes (the ceiling for node:http).
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeTgi } from '../fake-tgi.js';

interface Figures {
  tokens: number;
  ms: number;
}

function drain(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let events = 0;
      let carry = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        const parts = (carry + c).split('\n\n');
        carry = parts.pop() ?? '';
        events += parts.length;
      });
      res.once('end', () => resolve(events));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

let unique = 0;

/** `fresh` makes every body distinct, so the fake's replay cache cannot serve it. */
async function run(
  url: string,
  tokens: number,
  streams: number,
  concurrency: number,
  fresh = false,
): Promise<Figures> {
  const t0 = performance.now();
  let next = 0;
  let total = 0;
  const worker = async (): Promise<void> => {
    while (next < streams) {
      next++;
      const tag = fresh ? ` ${unique++}` : '';
      const body = JSON.stringify({ inputs: `bench${tag} #tokens=${tokens}`, parameters: { details: true } });
      const n = await drain(url, body);
      total += n;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { tokens: total, ms: performance.now() - t0 };
}

async function baselineServer(tokens: number): Promise<{ url: string; close: () => void }> {
  const fake = await startFakeTgi();
  const bytes = await new Promise<Buffer>((resolve) => {
    const req = request(
      `${fake.url}/generate_stream`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => resolve(Buffer.concat(chunks)));
      },
    );
    req.end(JSON.stringify({ inputs: `bench #tokens=${tokens}`, parameters: { details: true } }));
  });
  await fake.close();
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(bytes);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/generate_stream`, close: () => server.close() };
}

/** Best of several runs: the machine is shared, so the fastest run is the least disturbed one. */
async function best(fn: () => Promise<Figures>, reps = 5): Promise<Figures> {
  let top: Figures | undefined;
  for (let i = 0; i < reps; i++) {
    const f = await fn();
    if (top === undefined || f.ms < top.ms) top = f;
  }
  return top!;
}

function report(name: string, f: Figures, base: Figures): void {
  const tps = (f.tokens / f.ms) * 1000;
  const baseTps = (base.tokens / base.ms) * 1000;
  console.log(
    `${name.padEnd(46)} ${f.tokens} tokens in ${f.ms.toFixed(1)} ms  ${Math.round(tps).toLocaleString('en')} tok/s  ` +
      `(${(tps / baseTps).toFixed(2)}x of static-bytes baseline ${Math.round(baseTps).toLocaleString('en')} tok/s)`,
  );
}

async function main(): Promise<void> {
  const fake = await startFakeTgi();
  const url = `${fake.url}/generate_stream`;
  for (const [label, tokens, streams, conc] of [
    ['1 x 20,000-token stream', 20_000, 1, 1],
    ['200 x 256-token streams @16', 256, 200, 16],
  ] as const) {
    await run(url, tokens, Math.min(streams, 4), Math.min(conc, 4));
    const base = await baselineServer(tokens);
    await run(base.url, tokens, Math.min(streams, 4), Math.min(conc, 4));
    const b = await best(() => run(base.url, tokens, streams, conc));
    base.close();
    const f = await best(() => run(url, tokens, streams, conc));
    report(`${label} (replayed)`, f, b);
    const cold = await best(() => run(url, tokens, streams, conc, true));
    report(`${label} (generated)`, cold, b);
  }
  await fake.close();
}

await main();
