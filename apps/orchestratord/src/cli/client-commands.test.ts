// orchd submit / pools / models / health against the real daemon (MockAdapter replicas).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockDaemon, startMockDaemon } from '../http/routes/__test-utils__/mock-daemon.js';
import { type CliIo, daemonUrl, EXIT } from './cli-common.js';
import { run as health } from './health.js';
import { run as models } from './models.js';
import { run as pools } from './pools.js';
import { run as submit } from './submit.js';

const TOKEN = 'cli-token';
let d: MockDaemon;

beforeAll(async () => {
  d = await startMockDaemon({ env: { ORCHD_TOKEN: TOKEN }, models: ['mock-model'] });
});
afterAll(() => d.close());

function capture(env: Record<string, string> = {}): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: { ORCHD_URL: d.url, ORCHD_TOKEN: TOKEN, ...env },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

describe('orchd client subcommands', () => {
  it('[ORCHD-CLI-1] submit streams the tokens to stdout, one write per token, stats to stderr', async () => {
    const io = capture();
    const writes: string[] = [];
    io.stdout = { write: (s: string) => writes.push(s) };
    const code = await submit(['Say hi', '--model', 'mock-model', '--max-tokens', '3'], io);
    expect(code).toBe(EXIT.ok);
    expect(writes).toEqual(['Hello', ',', ' world', '\n']);
    expect(io.err()).toMatch(/^\[length, 3 tokens, first token \d+ ms, \d+ tok\/s\]\n$/);
  });

  it('[ORCHD-CLI-2] submit --json prints every event as a JSON line', async () => {
    const io = capture();
    const code = await submit(
      ['hi', '--json', '--chat', '--system', 'be brief', '-m', 'mock-model', '--pool', 'mockpool'],
      io,
    );
    expect(code).toBe(EXIT.ok);
    const events = io
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual(['started', 'token', 'token', 'token', 'token', 'end']);
  });

  it('[ORCHD-CLI-7] on a terminal, a status line shows while waiting for the first token, then clears', async () => {
    const engine = d.adapters.get('r0')!;
    engine.configure({ firstTokenDelayMs: 700 });
    try {
      const io = capture();
      io.stderr = { write: io.stderr.write, isTTY: true };
      const code = await submit(['hi', '-m', 'mock-model'], io);
      expect(code).toBe(EXIT.ok);
      expect(io.out()).toBe('Hello, world!\n');
      const clear = '\r\u001b[2K';
      expect(io.err()).toContain(`${clear}waiting for the first token [`);
      expect(io.err()).toContain(`${clear}[stop, 4 tokens`);
      const quiet = capture();
      quiet.stderr = { write: quiet.stderr.write, isTTY: true };
      expect(await submit(['hi', '-m', 'mock-model', '--quiet'], quiet)).toBe(EXIT.ok);
      expect(quiet.err()).not.toContain('waiting');
    } finally {
      engine.reset();
    }
  });

  it('[ORCHD-CLI-3] usage errors exit 2 with the usage text; daemon errors name field and hint', async () => {
    const io = capture();
    expect(await submit([], io)).toBe(EXIT.usage);
    expect(io.err()).toContain('usage: orchd submit');
    expect(await submit(['x', '--max-tokens', 'many'], capture())).toBe(EXIT.usage);
    expect(await submit(['x', '--bogus'], capture())).toBe(EXIT.usage);

    const unknown = capture();
    expect(await submit(['x', '--model', 'no-such-model'], unknown)).toBe(EXIT.refused);
    expect(unknown.err()).toContain('no-such-model');
    expect(unknown.err()).toContain('hint: See the served models with `orchd models`.');

    const nopool = capture();
    expect(await submit(['x', '-m', 'mock-model', '--pool', 'elsewhere'], nopool)).toBe(EXIT.refused);
    expect(nopool.err()).toContain('elsewhere');

    const hot = capture();
    expect(await submit(['x', '--temperature', '500'], hot)).toBe(EXIT.refused);
    expect(hot.err()).toContain('(field: temperature)');

    const unauth = capture({ ORCHD_TOKEN: 'wrong' });
    expect(await submit(['x'], unauth)).toBe(EXIT.refused);
    expect(unauth.err()).toContain('hint: Pass --token or set ORCHD_TOKEN');
  });

  it('[ORCHD-CLI-4] an unreachable daemon exits 3 with a hint', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const io = capture();
    expect(await health(['--url', `http://127.0.0.1:${port}`], io)).toBe(EXIT.unreachable);
    expect(io.err()).toContain('Is the daemon running?');
  });

  it('[ORCHD-CLI-5] pools, models and health print tables (or JSON)', async () => {
    const p = capture();
    expect(await pools([], p)).toBe(EXIT.ok);
    expect(p.out()).toMatch(/^POOL\s+ADAPTER\s+READY\s+IN-FLIGHT\s+QUEUE\s+MODELS\n/);
    expect(p.out()).toMatch(/mockpool\s+test-mock\s+1\/1\s+0\/8\s+0\/256\s+mock-model\n/);

    const m = capture();
    expect(await models(['--json'], m)).toBe(EXIT.ok);
    const list = JSON.parse(m.out()) as Array<{ id: string }>;
    expect(list.map((x) => x.id)).toContain('mock-model');
    const table = capture();
    expect(await models([], table)).toBe(EXIT.ok);
    expect(table.out()).toMatch(/mock-model\s+mockpool/);

    const h = capture();
    expect(await health([], h)).toBe(EXIT.ok);
    expect(h.out()).toContain('ready   yes');
  });

  it('[ORCHD-CLI-6] the daemon URL comes from --url, ORCHD_URL or ORCHD_ADDR', () => {
    expect(daemonUrl('http://h:1', { ORCHD_URL: 'http://x:2' })).toBe('http://h:1');
    expect(daemonUrl(undefined, { ORCHD_URL: 'http://x:2' })).toBe('http://x:2');
    expect(daemonUrl(undefined, { ORCHD_ADDR: '0.0.0.0:9000' })).toBe('http://127.0.0.1:9000');
    expect(daemonUrl(undefined, { ORCHD_ADDR: ':7000' })).toBe('http://127.0.0.1:7000');
    expect(daemonUrl(undefined, {})).toBe('http://127.0.0.1:8080');
  });
});
