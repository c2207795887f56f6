import { builtinPlugins } from './adapters/builtin-plugins.js';
import { AdapterRegistry } from './adapters/define-adapter.js';
import { ConfigError } from './config/config-error.js';
import { resolveConfig } from './config/load-config.js';
import { startDaemon } from './daemon.js';
import { lazyModelService } from './local-models-service.js';
import { createLogger } from './logger.js';

const HELP = `orchd serve [--config FILE] [--addr HOST:PORT] [--insecure]

  --config FILE    YAML or JSON config (default: $ORCHD_CONFIG; else env shortcuts
                   ORCHD_TGI_URL / HF_TOKEN; else the embedded local model)
  --addr HOST:PORT listen address (default: $ORCHD_ADDR, the file's server.addr, 127.0.0.1:8080)
  --insecure       allow a non-loopback address without a bearer token
  --log-level L    fatal|error|warn|info|debug|trace|silent (default: the file's log.level, info)
Signals: SIGHUP reloads the config file; SIGTERM/SIGINT stop gracefully.`;

interface ServeArgs {
  config?: string;
  addr?: string;
  logLevel?: string;
  insecure: boolean;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function parseArgs(args: string[]): ServeArgs | string {
  const out: ServeArgs = { insecure: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--config' || flag === '-c') out.config = value();
    else if (flag === '--addr') out.addr = value();
    else if (flag === '--insecure') out.insecure = true;
    else if (flag === '--log-level') {
      const level = value();
      if (!level || !(LEVELS as readonly string[]).includes(level))
        return `--log-level needs one of ${LEVELS.join(', ')}`;
      out.logLevel = level;
    } else if (flag === '--help' || flag === '-h') return HELP;
    else return `unknown option '${a}'\n\n${HELP}`;
    if ((flag === '--config' || flag === '--addr') && !out[flag === '--config' ? 'config' : 'addr']) {
      return `${flag} needs a value\n\n${HELP}`;
    }
  }
  return out;
}

/** `orchd serve`: runs until SIGTERM/SIGINT, reloading on SIGHUP. Resolves with the exit code. */
export async function runServe(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    const isHelp = args === HELP;
    (isHelp ? process.stdout : process.stderr).write(`${args}\n`);
    return isHelp ? 0 : 2;
  }
  const registry = new AdapterRegistry(builtinPlugins());
  let resolved: Awaited<ReturnType<typeof resolveConfig>>;
  try {
    resolved = await resolveConfig({
      env: process.env,
      registry,
      ...(args.config ? { configPath: args.config } : {}),
      ...(args.addr ? { addr: args.addr } : {}),
    });
  } catch (err) {
    process.stderr.write(`orchd: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    return 1;
  }
  const config = resolved.config;
  if (args.insecure) config.server.allow_unauthenticated = true;
  if (args.logLevel) config.log.level = args.logLevel as (typeof LEVELS)[number];
  const log = createLogger(config.log.level);
  const localModels = config.local_models.enabled ? lazyModelService(config.local_models) : undefined;
  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  try {
    daemon = await startDaemon(config, {
      logger: log,
      ...(resolved.path ? { configPath: resolved.path } : {}),
      ...(localModels ? { localModels: localModels.service } : {}),
      observer: {
        replicaPhase(pool, replica, from, to) {
          // A human-readable line next to the JSON logs, e.g. while the local model loads.
          const health = replica.lastHealth?.message ? ` (${replica.lastHealth.message})` : '';
          process.stderr.write(`orchd: replica ${pool}/${replica.id}: ${from} -> ${to}${health}\n`);
        },
      },
    });
  } catch (err) {
    process.stderr.write(`orchd: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stderr.write(`orchd: serving on ${daemon.url} (config: ${resolved.source})\n`);
  for (const pool of daemon.orchestrator.pools()) {
    for (const r of pool.replicas) {
      if (r.state !== 'ready') {
        const why = r.health?.message ? `: ${r.health.message}` : '';
        process.stderr.write(
          `orchd: replica ${pool.id}/${r.id} not ready yet${why} (jobs wait until it is)\n`,
        );
      }
    }
  }

  return new Promise<number>((resolve) => {
    const onHup = () => {
      daemon.reload().then(
        (report) => log.info({ report }, 'reloaded on SIGHUP'),
        (err: unknown) =>
          log.error(
            { err: err instanceof Error ? err.message : String(err) },
            'reload refused; keeping the running config',
          ),
      );
    };
    let stopping = false;
    const onStop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second signal: the operator wants out now.
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'shutting down gracefully');
      void daemon
        .close()
        .then(() => localModels?.close())
        .catch((err: unknown) => log.error({ err: String(err) }, 'error while closing'))
        .then(() => {
          process.off('SIGHUP', onHup);
          process.off('SIGTERM', onStop);
          process.off('SIGINT', onStop);
          resolve(0);
        });
    };
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
  });
}
