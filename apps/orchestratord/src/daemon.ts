import type { Logger } from 'pino';
import { builtinPlugins } from './adapters/builtin-plugins.js';
import { type AdapterPlugin, AdapterRegistry } from './adapters/define-adapter.js';
import { parseAddr } from './addr.js';
import type { DaemonConfig, DaemonConfigInput } from './config/config-schema.js';
import { type Env, parseConfig, readConfigFile } from './config/load-config.js';
import type { OrchestratorObserver } from './core/observer.js';
import { OrchestratorImpl } from './core/orchestrator.js';
import type { ApplyReport } from './core/pool-manager.js';
import { Authenticator, isLoopback } from './http/auth.js';
import type { LocalModelService } from './http/compat/local-model-service.js';
import type { DaemonControl } from './http/route-types.js';
import { Router } from './http/router.js';
import { allRoutes } from './http/routes/index.js';
import { DaemonServer } from './http/server.js';
import { createLogger } from './logger.js';
import { DaemonMetrics } from './metrics/daemon-metrics.js';
import { tuneV8 } from './runtime/tune-v8.js';

export interface DaemonOptions {
  logger?: Logger;
  /** Where secrets and env shortcuts are read from (default process.env). */
  env?: Env;
  /** Extra adapter plugins besides the built-ins. */
  plugins?: AdapterPlugin[];
  /** The file to re-read on reload() / SIGHUP. */
  configPath?: string;
  /** Backs the /api/huggingface routes when given. */
  localModels?: LocalModelService;
  /** Process metrics (CPU, memory, event loop) in /metrics. Default true. */
  defaultMetrics?: boolean;
  /** Extra observer of the core's events (the CLI prints replica readiness with it). */
  observer?: OrchestratorObserver;
}

export interface Daemon {
  url: string;
  orchestrator: OrchestratorImpl;
  metrics: DaemonMetrics;
  config: DaemonConfig;
  /** Re-reads the config file (or applies `next`); an invalid config throws and the old one stays. */
  reload(next?: DaemonConfigInput): Promise<ApplyReport>;
  /** Graceful: stop admitting (503), let jobs finish within the grace period, cancel the rest. */
  close(graceMs?: number): Promise<void>;
}

function logObserver(log: Logger): OrchestratorObserver {
  return {
    finished(job, terminal, pool, replica) {
      const line = {
        job_id: job.taskId,
        correlation_id: job.correlationId,
        pool: pool?.id ?? job.poolId,
        replica: replica?.id ?? job.replicaId,
        state: job.state,
        attempts: job.attempts,
        tokens: job.tokensEmitted,
      };
      if (terminal.type === 'error' && terminal.code !== 'CANCELLED') {
        log.warn({ ...line, code: terminal.code, err: terminal.message }, 'task failed');
      } else log.debug(line, 'task finished');
    },
    backpressure(job, pool, replica, cooldownMs) {
      log.info(
        { job_id: job.taskId, pool: pool.id, replica: replica.id, cooldown_ms: cooldownMs },
        'upstream overloaded: backpressure',
      );
    },
  };
}

const OBSERVER_METHODS: Array<keyof OrchestratorObserver> = [
  'enqueued',
  'rejected',
  'dispatched',
  'backpressure',
  'failover',
  'finished',
  'replicaPhase',
  'poolRemoved',
];

function both(a: OrchestratorObserver, b: OrchestratorObserver): OrchestratorObserver {
  const out: Record<string, (...args: unknown[]) => void> = {};
  // Class instances keep their methods on the prototype, so the names are listed, not enumerated.
  for (const k of OBSERVER_METHODS) {
    if (!a[k] && !b[k]) continue;
    const fa = a[k] as ((...args: unknown[]) => void) | undefined;
    const fb = b[k] as ((...args: unknown[]) => void) | undefined;
    out[k] = (...args) => {
      fa?.apply(a, args);
      fb?.apply(b, args);
    };
  }
  return out as OrchestratorObserver;
}

/** Starts the daemon on `config.server.addr` (port 0 picks one) and resolves once it listens. */
export async function startDaemon(
  input: DaemonConfig | DaemonConfigInput,
  opts: DaemonOptions = {},
): Promise<Daemon> {
  const env = opts.env ?? process.env;
  tuneV8(env);
  const registry = new AdapterRegistry([...builtinPlugins(), ...(opts.plugins ?? [])]);
  let config = parseConfig(input, registry, env, opts.configPath ?? 'config');
  const log = opts.logger ?? createLogger(config.log.level);
  const userTokens = config.auth.tokens_env.map((n) => env[n]).filter((t): t is string => !!t);
  const adminToken = env[config.auth.admin_token_env] || undefined;
  const auth = new Authenticator({
    userTokens,
    ...(adminToken ? { adminToken } : {}),
    publicMetrics: config.auth.public_metrics,
    publicHealth: config.auth.public_health,
  });
  const { host, port } = parseAddr(config.server.addr);
  if (!isLoopback(host) && !auth.hasUserTokens && !config.server.allow_unauthenticated) {
    throw new Error(
      `refusing to listen on ${config.server.addr} without a bearer token: set ${config.auth.tokens_env.join(' or ')} ` +
        '(or server.allow_unauthenticated: true / --insecure if this network is trusted)',
    );
  }

  let orchestrator: OrchestratorImpl | undefined;
  const metrics = new DaemonMetrics(() => orchestrator?.pools() ?? [], {
    defaultMetrics: opts.defaultMetrics ?? true,
  });
  const observer = both(metrics, opts.observer ? both(logObserver(log), opts.observer) : logObserver(log));
  orchestrator = new OrchestratorImpl({ registry, env, log, observer });
  const orch = orchestrator;
  await orch.applyConfig(config);

  const control: DaemonControl = {
    drainPool: (id) => orch.drainPool(id),
    undrainPool: (id) => orch.undrainPool(id),
    ready: () => orch.ready,
    metrics: () => metrics.render(),
    adapterNames: () => registry.names(),
  };
  const router = new Router();
  const deps = {
    orchestrator: orch,
    log,
    control,
    ...(opts.localModels ? { localModels: opts.localModels } : {}),
  };
  for (const mount of allRoutes) mount(router, deps);
  const server = new DaemonServer({
    router,
    auth,
    log,
    bodyLimit: config.server.body_limit_bytes,
    timings: orch.timings,
    metrics,
  });
  let url: string;
  try {
    url = await server.listen(host, port);
  } catch (err) {
    await orch.shutdown(0);
    throw err;
  }
  log.info({ url, pools: config.pools.map((p) => p.id) }, 'orchd listening');

  const applyReload = async (next: DaemonConfigInput | undefined): Promise<ApplyReport> => {
    let raw: unknown = next;
    if (raw === undefined) {
      if (!opts.configPath) throw new Error('no config file to reload (started without --config)');
      raw = await readConfigFile(opts.configPath);
    }
    const parsed = parseConfig(raw, registry, env, opts.configPath ?? 'reload');
    const report = await orch.applyConfig(parsed);
    config = parsed;
    daemon.config = parsed;
    return report;
  };

  let closing: Promise<void> | undefined;
  // Reloads run one at a time: two quick SIGHUPs must not build the same pool twice.
  let reloading: Promise<unknown> = Promise.resolve();
  const daemon: Daemon = {
    url,
    orchestrator: orch,
    metrics,
    config,
    reload(next) {
      if (closing) return Promise.reject(new Error('the daemon is shutting down'));
      const run = reloading.then(() => applyReload(next));
      reloading = run.catch(() => undefined);
      return run;
    },
    close(graceMs = config.server.shutdown_grace_ms) {
      closing ??= (async () => {
        server.stopAdmitting();
        await orch.shutdown(graceMs);
        await server.close();
        log.info('orchd stopped');
      })();
      return closing;
    },
  };
  return daemon;
}
