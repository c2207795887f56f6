import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from './model-registry.js';

// The writer runs the compiled store in a child process so it can be killed at any instant.
const storeModule = fileURLToPath(new URL('../../dist/registry/registry-store.js', import.meta.url));

const WRITER = `
const { RegistryStore } = await import(process.argv[1]);
const store = new RegistryStore(process.argv[2]);
const model = (i, gen) => ({
  model_id: 'm' + i, name: 'model ' + i, model_type: 'fill-mask', source: 'm' + i,
  description: String(gen).repeat(1500).slice(0, 1500), parameters: { gen },
  added_date: '2026-01-01T00:00:00.000Z', last_used: null, usage_count: gen, status: 'available',
});
for (let gen = 1; ; gen++) {
  await store.write({ version: 1, models: Array.from({ length: 300 }, (_, i) => model(i, gen)) });
  process.stdout.write('wrote ' + gen + '\\n');
}
`;

describe('registry persistence under a crash', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('[LT-REG-9] a writer killed mid-write leaves the last complete registry, and its temp file is cleaned up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orch-registry-crash-'));
    dirs.push(dir);
    const path = join(dir, 'registry.json');
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, storeModule, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastWritten = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        const gens = [...chunk.matchAll(/wrote (\d+)/g)].map((m) => Number(m[1]));
        lastWritten = Math.max(lastWritten, ...gens);
        // Kill while it is in the middle of a later write.
        if (lastWritten >= 3) resolve();
      });
      child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const reg = await ModelRegistry.open({ path, seedDefaults: false });
    const models = reg.list();
    expect(models).toHaveLength(300);
    const gen = models[0]?.usage_count ?? 0;
    expect(gen).toBeGreaterThanOrEqual(lastWritten);
    // Every record comes from the same complete write.
    expect(models.every((m) => m.usage_count === gen)).toBe(true);
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    await reg.close();
  });
});
