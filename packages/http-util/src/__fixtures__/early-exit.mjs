// Regression script for nodejs/undici#5715: leaving an SSE stream early (break, close(), abort,
// [DONE] while the body still flows) many times must never crash the process.
// Run with the BUILT package: node early-exit.mjs <rounds>
import { createServer } from 'node:http';
import { HttpClient } from '../../dist/index.js';

const rounds = Number(process.argv[2] ?? 200);
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let i = 0;
  const tick = () => {
    if (res.destroyed) return;
    // Big bursts so the client has unread data buffered when it leaves.
    let burst = '';
    for (let k = 0; k < 200; k++) burst += `data: {"i":${i++}}\n\n`;
    if (i === 400) burst += 'data: [DONE]\n\n';
    if (res.write(burst)) setImmediate(tick);
    else res.once('drain', tick);
  };
  tick();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();
const client = new HttpClient({ baseUrl: `http://127.0.0.1:${port}`, retry: false, breaker: false, connections: 8 });

let done = 0;
for (let r = 0; r < rounds; r++) {
  const ac = new AbortController();
  const stream = await client.openSse('/s', { body: { r }, signal: ac.signal });
  let n = 0;
  try {
    for await (const m of stream) {
      n++;
      const mode = r % 4;
      if (mode === 0 && n === 3) break;
      if (mode === 1 && n === 5) stream.close();
      if (mode === 2 && n === 7) ac.abort();
      if (mode === 3 && m.data === '[DONE]') break;
    }
  } catch (err) {
    if (err?.code !== 'CANCELLED') throw err;
  }
  done++;
}
// Stay alive a while so late errors from destroyed sockets would surface and kill us.
await new Promise((r) => setTimeout(r, 300));
await client.close();
server.closeAllConnections();
server.close();
process.stdout.write(`alive ${done}\n`);
