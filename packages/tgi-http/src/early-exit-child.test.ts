import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// undici#5715: leaving a response body's web stream early could throw an uncatchable error that kills
// the process. The adapter reads Node-stream bodies, so early exits must be harmless; this checks it in
// a separate process (a crash there cannot hide behind vitest's handlers). Runs the built dist.
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const fakeDist = fileURLToPath(new URL('../node_modules/@orch/fake-tgi/dist/index.js', import.meta.url));

const script = `
import { TgiHttpAdapter } from ${JSON.stringify(dist)};
import { startFakeTgi } from ${JSON.stringify(fakeDist)};
const fake = await startFakeTgi();
const a = new TgiHttpAdapter({ baseUrl: fake.url, retry: false });
const chat = { messages: [{ role: 'user', content: 'hi #tokens=50' }] };
for (let i = 0; i < 8; i++) {
  // break at the first token (chat and generate), cancel mid-stream, abort via signal
  for await (const ev of a.submit(chat)) if (ev.type === 'token') break;
  for await (const ev of a.submit({ prompt: 'x #tokens=50' })) if (ev.type === 'token') break;
  const s = a.submit(chat);
  for await (const ev of s) if (ev.type === 'token') a.cancel(s.jobId);
  const ac = new AbortController();
  for await (const ev of a.submit({ prompt: 'x #tokens=50' }, { signal: ac.signal })) if (ev.type === 'token') ac.abort();
  // and a stream read to its [DONE]
  await a.generate(chat);
}
await new Promise((r) => setTimeout(r, 200));
await a.close();
await fake.close();
console.log('alive');
`;

it.skipIf(!existsSync(dist) || !existsSync(fakeDist))(
  '[TGI-CANCEL-2] breaking out, cancelling and aborting streams never crashes the process',
  () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('alive');
    expect(r.status).toBe(0);
  },
);
