import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { AdapterRegistry } from '../adapters/define-adapter.js';
import { ConfigError, type ConfigProblem, problemsFromZod } from './config-error.js';
import { type DaemonConfig, type DaemonConfigInput, DaemonConfigSchema } from './config-schema.js';
import { embeddedDefaultConfig } from './embedded-default.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ResolvedConfig {
  config: DaemonConfig;
  /** Where it came from: a file path, 'env' or 'embedded-default'. */
  source: string;
  /** The file to re-read on SIGHUP, when there is one. */
  path?: string;
}

/** Reads a YAML or JSON file (YAML 1.2 is a superset of JSON, so one parser does both). */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(path, [
      {
        path: '(file)',
        message: `cannot read the file (${why})`,
        fix: 'check the path given to --config / ORCHD_CONFIG',
      },
    ]);
  }
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(path, [
      {
        path: '(file)',
        message: `not valid YAML/JSON: ${why}`,
        fix: 'correct the syntax at the reported line',
      },
    ]);
  }
}

/** Validates a raw config (schema, then each pool against its adapter plugin and the environment). */
export function parseConfig(
  raw: unknown,
  registry: AdapterRegistry,
  env: Env,
  source = 'config',
): DaemonConfig {
  const result = DaemonConfigSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(source, problemsFromZod(result.error));
  const config = result.data;
  const problems: ConfigProblem[] = [];
  config.pools.forEach((pool, pi) => {
    const plugin = registry.get(pool.adapter);
    if (!plugin) {
      problems.push({
        path: `pools[${pi}].adapter`,
        message: `unknown adapter '${pool.adapter}'`,
        fix: `use one of ${registry
          .names()
          .map((n) => `'${n}'`)
          .join(', ')} or register a plugin with defineAdapter`,
      });
      return;
    }
    pool.replicas.forEach((replica, ri) => {
      const at = `pools[${pi}].replicas[${ri}]`;
      const merged = { ...(pool.options ?? {}), ...(replica.options ?? {}) };
      const parsed = plugin.configSchema.safeParse(merged);
      if (!parsed.success) {
        const where = replica.options ? ['pools', pi, 'replicas', ri, 'options'] : ['pools', pi, 'options'];
        problems.push(...problemsFromZod(parsed.error, where));
      }
      if (plugin.requiresUrl && !replica.url) {
        problems.push({
          path: `${at}.url`,
          message: `adapter '${pool.adapter}' needs the replica's url`,
          fix: 'add url: http://host:port',
        });
      }
      if (replica.api_key_env && !env[replica.api_key_env]) {
        problems.push({
          path: `${at}.api_key_env`,
          message: `environment variable ${replica.api_key_env} is not set`,
          fix: `export ${replica.api_key_env}=<key> before starting, or remove api_key_env`,
        });
      }
      if (plugin.requiresApiKey && !replica.api_key_env) {
        problems.push({
          path: `${at}.api_key_env`,
          message: `adapter '${pool.adapter}' needs an API key`,
          fix: 'add api_key_env: NAME_OF_ENV_VAR',
        });
      }
    });
  });
  if (problems.length) throw new ConfigError(source, problems);
  return config;
}

/** The simple case: one TGI server (and/or the HF API) from environment variables alone. */
export function configFromEnv(env: Env): DaemonConfigInput | undefined {
  const pools: DaemonConfigInput['pools'] = [];
  const tgiUrl = env.ORCHD_TGI_URL?.trim();
  if (tgiUrl) {
    pools.push({
      id: env.ORCHD_TGI_POOL?.trim() || 'default',
      adapter: 'tgi-http',
      models: ['*'],
      priority: 0,
      replicas: [{ id: env.ORCHD_TGI_REPLICA?.trim() || 'r0', url: tgiUrl }],
    });
  }
  const hfKeyEnv = env.HF_TOKEN ? 'HF_TOKEN' : env.HUGGINGFACE_API_KEY ? 'HUGGINGFACE_API_KEY' : undefined;
  const hfModel = env.ORCHD_HF_MODEL?.trim();
  if (hfKeyEnv && (hfModel || !tgiUrl)) {
    pools.push({
      id: 'hf',
      adapter: 'hf-inference',
      models: hfModel ? [hfModel] : ['*'],
      priority: 10,
      options: { model: hfModel || 'HuggingFaceTB/SmolLM3-3B' },
      replicas: [{ id: 'router', api_key_env: hfKeyEnv }],
    });
  }
  return pools.length ? { pools } : undefined;
}

/** Parses ORCHD_ADDR / --addr forms: `host:port`, `:port`, `port`, `[::1]:port`. */
export function normalizeAddr(addr: string): string {
  const a = addr.trim();
  if (/^\d+$/.test(a)) return `127.0.0.1:${a}`;
  if (a.startsWith(':')) return `127.0.0.1${a}`;
  return a;
}

export interface ResolveOptions {
  configPath?: string;
  env: Env;
  registry: AdapterRegistry;
  /** --addr on the command line, which wins over ORCHD_ADDR and the file. */
  addr?: string;
}

/** File (--config / ORCHD_CONFIG) > env shortcuts > the embedded default; then ORCHD_ADDR / --addr. */
export async function resolveConfig(opts: ResolveOptions): Promise<ResolvedConfig> {
  const path = opts.configPath ?? (opts.env.ORCHD_CONFIG?.trim() || undefined);
  let raw: unknown;
  let source: string;
  if (path) {
    raw = await readConfigFile(path);
    source = path;
  } else {
    const fromEnv = configFromEnv(opts.env);
    raw = fromEnv ?? embeddedDefaultConfig();
    source = fromEnv ? 'env' : 'embedded-default';
  }
  const addr = opts.addr ?? (opts.env.ORCHD_ADDR?.trim() || undefined);
  if (addr && raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const obj = raw as Record<string, unknown>;
    const server =
      typeof obj.server === 'object' && obj.server !== null ? (obj.server as Record<string, unknown>) : {};
    raw = { ...obj, server: { ...server, addr: normalizeAddr(addr) } };
  }
  const config = parseConfig(raw, opts.registry, opts.env, source);
  return path ? { config, source, path } : { config, source };
}
