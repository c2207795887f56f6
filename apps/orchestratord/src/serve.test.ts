import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// Runs the built CLI (the CI command builds before testing), as a user would.
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function serve(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('ORCHD_') && k !== 'HF_TOKEN' && k !== 'HUGGINGFACE_API_KEY')
      clean[k] = v;
  }
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stdout!.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line: ${err}`)), 15_000);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /serving on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${err}`));
    });
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', (code) => r(code)));
}

const mockConfig = (pools: string[]) =>
  `server:\n  addr: 127.0.0.1:0\nlog:\n  level: warn\npools:\n${pools
    .map((id) => `  - id: ${id}\n    adapter: mock\n    replicas:\n      - id: r0\n`)
    .join('')}`;

describe('orchd serve', () => {
  it('[ORCHD-SERVE-1][ORCHD-CFG-5][ORCHD-SHUT-1] serves a config file, reloads it on SIGHUP, exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orchd-serve-'));
    const file = join(dir, 'orchd.yaml');
    await writeFile(file, mockConfig(['a']));
    const { child, url } = await serve(['--config', file], { HOME: dir });
    const pools = async () =>
      ((await (await fetch(`${url}/v2/pools`)).json()) as { pools: Array<{ id: string }> }).pools.map(
        (p) => p.id,
      );
    expect(await pools()).toEqual(['a']);
    await writeFile(file, mockConfig(['a', 'b']));
    child.kill('SIGHUP');
    const t0 = Date.now();
    while ((await pools()).length < 2 && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 20));
    expect(await pools()).toEqual(['a', 'b']);
    await writeFile(file, 'pools: [ {id: x, adapter: nope, replicas: [{id: r0}]} ]\n');
    child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 100));
    expect(await pools()).toEqual(['a', 'b']);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('[ORCHD-CFG-1] refuses to start on an invalid file, naming the path and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orchd-serve-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'pools:\n  - id: a\n    adapter: mock\n    replicas: [{id: r0, api_key: sk-123456}]\n',
    );
    await expect(serve(['--config', file])).rejects.toThrow(/pools\[0\]\.replicas\[0\].*api_key_env/s);
  });

  it('[ORCHD-CFG-4] with no config and no env it serves the bundled model through local-transformers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orchd-home-'));
    const { child, url } = await serve(['--addr', '127.0.0.1:0'], { HOME: dir });
    const pools = (await (await fetch(`${url}/v2/pools`)).json()) as {
      pools: Array<Record<string, unknown>>;
    };
    expect(pools.pools[0]).toMatchObject({ id: 'local', adapter: 'local-transformers' });
    const t0 = Date.now();
    let ready = false;
    while (!ready && Date.now() - t0 < 15_000) {
      ready = (await fetch(`${url}/readyz`)).status === 200;
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ready).toBe(true);
    const res = await fetch(`${url}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hello', max_tokens: 5 }),
    });
    expect(res.status).toBe(202);
    const { task_id } = (await res.json()) as { task_id: string };
    const events = await (await fetch(`${url}/v2/tasks/${task_id}/events`)).text();
    expect(events).toMatch(/event: end\n/);
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
  }, 30_000);
});
