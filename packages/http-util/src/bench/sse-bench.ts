// Micro-benchmark: how much does HttpClient.openSse cost per SSE event compared with a bare floor?
// The server runs in a child process so process.cpuUsage() measures only the consuming side.
//   node dist/bench/sse-bench.js [events=100000] [rounds=5]
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { Pool } from 'undici';
import { HttpClient } from '../http-client.js';

const WRITE_BYTES = 256 * 1024;

function payload(events: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < events; i++) {
    parts.push(
      `data:{"index":${i},"token":{"id":${1000 + (i % 5000)},"text":" tok${i % 97}","logprob":-0.25,"special":false},"generated_text":null,"details":null}\n\n`,
    );
  }
  parts.push('data: [DONE]\n\n');
  return Buffer.from(parts.join(''), 'utf8');
}

async function serve(events: number): Promise<void> {
  const body = payload(events);
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let at = 0;
    const pump = (): void => {
      while (at < body.length) {
        const slice = body.subarray(at, at + WRITE_BYTES);
        at += slice.length;
        if (!res.write(slice)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

type Consumer = (url: string) => Promise<number>;

function count(data: string, sink: { n: number; sum: number }): void {
  if (data === '[DONE]') return;
  const parsed = JSON.parse(data) as { index: number };
  sink.n++;
  sink.sum += parsed.index;
}

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 100_000);
  const rounds = Number(process.argv[3] ?? 5);
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(events)], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  const url = `http://127.0.0.1:${port}`;

  const client = new HttpClient({ baseUrl: url, retry: false, breaker: false });
  const pool = new Pool(url, { connections: 4 });

  const consumers: Record<string, Consumer> = {
    'http-util openSse': async () => {
      const sink = { n: 0, sum: 0 };
      const stream = await client.openSse('/generate_stream', { body: { inputs: 'x' } });
      for await (const m of stream) count(m.data, sink);
      return sink.n;
    },
    'http-util batches()': async () => {
      const sink = { n: 0, sum: 0 };
      const stream = await client.openSse('/generate_stream', { body: { inputs: 'x' } });
      for await (const batch of stream.batches()) for (const m of batch) count(m.data, sink);
      return sink.n;
    },
    'floor (undici+parser)': async () => {
      const sink = { n: 0, sum: 0 };
      const res = await pool.request({
        path: '/generate_stream',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"inputs":"x"}',
      });
      const parser = createParser({ onEvent: (ev) => count(ev.data, sink) });
      const decoder = new TextDecoder();
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      return sink.n;
    },
    'fetch + web streams': async () => {
      const sink = { n: 0, sum: 0 };
      const res = await fetch(`${url}/generate_stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"inputs":"x"}',
      });
      if (!res.body) throw new Error('no body');
      const stream = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
      for await (const ev of stream) count(ev.data, sink);
      return sink.n;
    },
  };

  const names = Object.keys(consumers);
  const results: Record<string, Array<{ tps: number; cpuUs: number }>> = Object.fromEntries(
    names.map((name) => [name, []]),
  );
  for (const name of names) await consumers[name]!(url); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const n = await consumers[name]!(url);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (n !== events) throw new Error(`${name}: got ${n} events, expected ${events}`);
      results[name]!.push({ tps: (n / ms) * 1000, cpuUs: (cpu.user + cpu.system) / n });
    }
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const summary = names.map((name) => ({
    name,
    tps: median(results[name]!.map((x) => x.tps)),
    cpuUs: median(results[name]!.map((x) => x.cpuUs)),
  }));
  const floor = summary.find((s) => s.name.startsWith('floor'))!;
  process.stdout.write(
    `SSE consume: ${events} events × ${rounds} rounds (median), Node ${process.version}\n`,
  );
  process.stdout.write(
    `${'consumer'.padEnd(24)}${'events/s'.padStart(12)}${'CPU µs/ev'.padStart(12)}${'tput/floor'.padStart(12)}${'cpu/floor'.padStart(12)}\n`,
  );
  for (const s of summary) {
    process.stdout.write(
      `${s.name.padEnd(24)}${Math.round(s.tps).toString().padStart(12)}${s.cpuUs.toFixed(2).padStart(12)}` +
        `${(s.tps / floor.tps).toFixed(2).padStart(12)}${(s.cpuUs / floor.cpuUs).toFixed(2).padStart(12)}\n`,
    );
  }
  await client.close();
  await pool.close();
  child.disconnect();
}

if (process.argv[2] === '--serve') await serve(Number(process.argv[3]));
else await main();
