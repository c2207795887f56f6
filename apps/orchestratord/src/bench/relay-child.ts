// The floor a Node daemon competes with: a bare reverse proxy (node:http server + undici Pool, no
// parsing, no queue, no metrics) in its own process. The overhead section measures it next to the
// daemon so the daemon's figures can be read against what Node itself costs on this machine.
// argv[2] is `{"upstream": "<url>"}`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { type ChildMessage, exitWithParent, reply } from './bench-child.js';

const { upstream } = JSON.parse(process.argv[2] ?? '{}') as { upstream: string };
const pool = new Pool(upstream, { connections: 256, keepAliveTimeout: 60_000 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  req.on('data', (c: Buffer) => chunks.push(c));
  req.once('end', () => {
    pool
      .request({
        method: req.method === 'GET' ? 'GET' : 'POST',
        path: req.url ?? '/',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: chunks.length ? Buffer.concat(chunks) : null,
        signal: ac.signal,
      })
      .then(async (up) => {
        const type = up.headers['content-type'];
        res.writeHead(up.statusCode, typeof type === 'string' ? { 'content-type': type } : {});
        for await (const c of up.body) res.write(c);
        res.end();
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
});
process.on('message', (m: ChildMessage) => {
  if (m.type === 'cpu') {
    const u = process.cpuUsage();
    reply(m, { type: 'cpu', userUs: u.user, systemUs: u.system });
  }
});
exitWithParent(async () => {
  server.close();
  server.closeAllConnections();
  await pool.close();
});
