import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// undici#5715: leaving a response body's web stream early could throw an uncatchable error that kills
// the process. Early exits, cancels and aborts must be harmless in every mode; a separate process makes
// sure a crash cannot hide behind vitest's handlers. Runs the built dist (CI builds before testing).
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const testing = fileURLToPath(new URL('../dist/testing/index.js', import.meta.url));

const script = `
import { HfInferenceAdapter } from ${JSON.stringify(dist)};
import { startFakeRouter } from ${JSON.stringify(testing)};
const fake = await startFakeRouter({ answerTokens: 50 });
for (const mode of ['router', 'serverless']) {
  const a = new HfInferenceAdapter({ model: 'org/m', mode, baseUrl: fake.url, retry: false });
  for (let i = 0; i < 15; i++) {
    for await (const ev of a.submit({ prompt: 'x' })) if (ev.type === 'token') break;
    const s = a.submit({ prompt: 'x' });
    for await (const ev of s) if (ev.type === 'token' && ev.index === 3) a.cancel(s.jobId);
    const ac = new AbortController();
    for await (const ev of a.submit({ prompt: 'x' }, { signal: ac.signal })) if (ev.type === 'token') ac.abort();
    await a.generate({ prompt: 'x' });
  }
  await a.close();
}
await new Promise((r) => setTimeout(r, 200));
await fake.close();
console.log('alive');
`;

it.skipIf(!existsSync(dist) || !existsSync(testing))(
  '[HF-CANCEL-2] breaking out, cancelling and aborting streams never crashes the process',
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
