import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPlugins, EMBEDDED_MODEL } from '../adapters/builtin-plugins.js';
import { AdapterRegistry } from '../adapters/define-adapter.js';
import { ConfigError } from './config-error.js';
import { configFromEnv, parseConfig, resolveConfig } from './load-config.js';

const registry = new AdapterRegistry(builtinPlugins());
const pool = { id: 'p', adapter: 'mock', replicas: [{ id: 'r0' }] };

function problems(
  raw: unknown,
  env: Record<string, string> = {},
): Array<{ path: string; message: string; fix: string }> {
  try {
    parseConfig(raw, registry, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('[ORCHD-CFG-1] applies defaults to a minimal valid config', () => {
    const cfg = parseConfig({ pools: [pool] }, registry, {});
    expect(cfg.pools[0]).toMatchObject({
      models: ['*'],
      priority: 0,
      queue: { capacity: 256, policy: 'reject', batch_max_wait_ms: 30_000 },
      replicas: [{ id: 'r0', max_concurrent: 16, weight: 1 }],
    });
    // A queue given without the aging key still gets its default.
    const q = parseConfig({ pools: [{ ...pool, queue: { capacity: 8 } }] }, registry, {}).pools[0]!.queue;
    expect(q).toEqual({ capacity: 8, policy: 'reject', batch_max_wait_ms: 30_000 });
    expect(cfg.server.addr).toBe('127.0.0.1:8080');
  });

  it('[ORCHD-CFG-1] unknown keys are rejected with their path and a fix', () => {
    const p = problems({ pools: [{ ...pool, queue: { capacity: 10, polcy: 'reject' } }] });
    expect(p[0]).toMatchObject({ path: 'pools[0].queue', message: expect.stringContaining('polcy') });
    expect(p[0]!.fix).toMatch(/remove 'polcy'/);
  });

  it('[ORCHD-CFG-1] wrong values name the path and the allowed values', () => {
    const p = problems({ pools: [{ ...pool, queue: { policy: 'fifo' } }] });
    expect(p[0]!.path).toBe('pools[0].queue.policy');
    expect(p[0]!.fix).toContain('"drop-lru"');
    const p2 = problems({ pools: [{ ...pool, replicas: [{ id: 'r0', max_concurrent: 0 }] }] });
    expect(p2[0]!.path).toBe('pools[0].replicas[0].max_concurrent');
    const p4 = problems({ pools: [{ ...pool, queue: { batch_max_wait_ms: -1 } }] });
    expect(p4[0]!.path).toBe('pools[0].queue.batch_max_wait_ms');
    const p3 = problems({ pools: [] });
    expect(p3[0]!.path).toBe('pools');
  });

  it('[ORCHD-CFG-2] secrets are refused inline and must come from named env vars', () => {
    const p = problems({ pools: [{ ...pool, replicas: [{ id: 'r0', api_key: 'hf_secret' }] }] });
    expect(p[0]!.path).toBe('pools[0].replicas[0]');
    expect(p[0]!.fix).toMatch(/api_key_env/);
    const p2 = problems({ pools: [{ ...pool, replicas: [{ id: 'r0', api_key_env: 'MISSING_KEY' }] }] });
    expect(p2[0]).toMatchObject({
      path: 'pools[0].replicas[0].api_key_env',
      message: expect.stringContaining('MISSING_KEY'),
    });
    expect(() =>
      parseConfig({ pools: [{ ...pool, replicas: [{ id: 'r0', api_key_env: 'K' }] }] }, registry, { K: 'x' }),
    ).not.toThrow();
  });

  it('[ORCHD-CFG-6] adapters are checked against the plugin registry and their own option schema', () => {
    const p = problems({ pools: [{ ...pool, adapter: 'vllm' }] });
    expect(p[0]).toMatchObject({ path: 'pools[0].adapter' });
    expect(p[0]!.fix).toContain("'tgi-http'");
    const p2 = problems({ pools: [{ id: 't', adapter: 'tgi-http', replicas: [{ id: 'r0' }] }] });
    expect(p2[0]!.path).toBe('pools[0].replicas[0].url');
    const p3 = problems({ pools: [{ ...pool, options: { tokens: 'nope' } }] });
    expect(p3[0]!.path).toBe('pools[0].options.tokens');
    const p4 = problems({ pools: [pool, { ...pool }] });
    expect(p4[0]).toMatchObject({ path: 'pools[1].id', message: expect.stringContaining('duplicate') });
  });

  it('[ORCHD-CFG-3] env shortcuts: ORCHD_TGI_URL with pool/replica defaults and overrides', () => {
    expect(configFromEnv({})).toBeUndefined();
    const cfg = configFromEnv({ ORCHD_TGI_URL: 'http://127.0.0.1:3000' });
    expect(cfg?.pools[0]).toMatchObject({
      id: 'default',
      adapter: 'tgi-http',
      replicas: [{ id: 'r0', url: 'http://127.0.0.1:3000' }],
    });
    const named = configFromEnv({
      ORCHD_TGI_URL: 'http://h:1',
      ORCHD_TGI_POOL: 'fleet',
      ORCHD_TGI_REPLICA: 'a',
    });
    expect(named?.pools[0]).toMatchObject({ id: 'fleet', replicas: [{ id: 'a' }] });
    const hf = configFromEnv({ HUGGINGFACE_API_KEY: 'hf_x' });
    expect(hf?.pools[0]).toMatchObject({
      adapter: 'hf-inference',
      replicas: [{ api_key_env: 'HUGGINGFACE_API_KEY' }],
    });
    // The key itself never lands in the config, only the variable's name.
    expect(JSON.stringify(hf)).not.toContain('hf_x');
  });

  it('[ORCHD-CFG-4] with no file and no env the embedded default serves the bundled model locally', async () => {
    const r = await resolveConfig({ env: {}, registry });
    expect(r.source).toBe('embedded-default');
    expect(r.config.pools).toHaveLength(1);
    expect(r.config.pools[0]).toMatchObject({
      id: 'local',
      adapter: 'local-transformers',
      options: { model: EMBEDDED_MODEL },
    });
    const addr = await resolveConfig({ env: { ORCHD_ADDR: ':9999' }, registry });
    expect(addr.config.server.addr).toBe('127.0.0.1:9999');
  });

  it('[ORCHD-CFG-1] reads YAML and JSON files (--config / ORCHD_CONFIG) and refuses a broken one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orchd-cfg-'));
    const yamlPath = join(dir, 'c.yaml');
    await writeFile(
      yamlPath,
      'pools:\n  - id: p\n    adapter: mock\n    replicas:\n      - id: r0\n        max_concurrent: 2\n',
    );
    const y = await resolveConfig({ env: { ORCHD_CONFIG: yamlPath }, registry });
    expect(y).toMatchObject({ source: yamlPath, path: yamlPath });
    expect(y.config.pools[0]!.replicas[0]!.max_concurrent).toBe(2);
    const jsonPath = join(dir, 'c.json');
    await writeFile(jsonPath, JSON.stringify({ pools: [pool] }));
    expect((await resolveConfig({ configPath: jsonPath, env: {}, registry })).config.pools[0]!.id).toBe('p');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'pools: [\n');
    await expect(resolveConfig({ configPath: bad, env: {}, registry })).rejects.toThrow(/not valid YAML/);
    await expect(resolveConfig({ configPath: join(dir, 'none.yaml'), env: {}, registry })).rejects.toThrow(
      /cannot read/,
    );
  });
});
