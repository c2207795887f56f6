// Shared by the client-side subcommands (submit, pools, models, health): where the daemon is, how
// to print, and errors that tell the user what to do next.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isOrchError, OrchClient, type OrchError } from '@orch/client';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Exit codes shared by the subcommands. */
export const EXIT = {
  ok: 0,
  /** The job or the check failed (job error event, not ready). */
  failed: 1,
  /** Bad command line. */
  usage: 2,
  /** The daemon could not be reached. */
  unreachable: 3,
  /** The daemon refused the request (4xx/5xx). */
  refused: 4,
  /** Interrupted (Ctrl-C): the task was cancelled. */
  interrupted: 130,
} as const;

export const COMMON_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** --url, else ORCHD_URL, else ORCHD_ADDR (`host:port`, `:port`, `port`), else 127.0.0.1:8080. */
export function daemonUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  if (env.ORCHD_URL) return env.ORCHD_URL;
  const addr = env.ORCHD_ADDR?.trim();
  if (addr) {
    if (/^\d+$/.test(addr)) return `http://127.0.0.1:${addr}`;
    if (addr.startsWith(':')) return `http://127.0.0.1${addr}`;
    // A wildcard bind is reachable on loopback.
    return `http://${addr.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:')}`;
  }
  return 'http://127.0.0.1:8080';
}

export function makeClient(values: { url?: string | undefined; token?: string | undefined }, io: CliIo) {
  const baseUrl = daemonUrl(values.url, io.env);
  const token = values.token ?? io.env.ORCHD_TOKEN;
  return { baseUrl, client: new OrchClient({ baseUrl, ...(token ? { token } : {}) }) };
}

function hint(err: OrchError, baseUrl: string): string | undefined {
  if (err.code === 'NETWORK') {
    return `Is the daemon running? Start it with \`orchd serve\`, or point at it with --url (now ${baseUrl}).`;
  }
  if (err.code === 'UNAUTHORIZED') return 'Pass --token or set ORCHD_TOKEN to a token the daemon accepts.';
  if (err.code === 'NOT_FOUND' && err.field === 'model') return 'See the served models with `orchd models`.';
  if (err.code === 'RATE_LIMITED' && err.retryAfterMs !== undefined) {
    return `The queue is full; retry in ${Math.ceil(err.retryAfterMs / 1000)} s.`;
  }
  if (err.upstreamType === 'POOL_UNREADY')
    return 'No replica is ready; check `orchd pools` and `orchd health`.';
  return undefined;
}

/** Prints the error with a hint and returns the exit code it maps to. */
export function reportError(err: unknown, baseUrl: string, io: CliIo): number {
  if (!isOrchError(err)) {
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failed;
  }
  const code = err.upstreamType ?? err.code;
  const field = err.field && err.field !== '(body)' ? ` (field: ${err.field})` : '';
  io.stderr.write(`error: ${code}: ${err.message}${field}\n`);
  const h = hint(err, baseUrl);
  if (h) io.stderr.write(`hint: ${h}\n`);
  if (err.code === 'NETWORK') return EXIT.unreachable;
  if (err.code === 'CANCELLED') return EXIT.interrupted;
  return err.status !== undefined ? EXIT.refused : EXIT.failed;
}

export function usageError(message: string, usage: string, io: CliIo): number {
  io.stderr.write(`error: ${message}\n\n${usage}`);
  return EXIT.usage;
}

export interface CommonValues {
  json: boolean;
  help: boolean;
  url?: string | undefined;
  token?: string | undefined;
}

/** What a command that takes only COMMON_OPTIONS gets once its command line is parsed. */
export interface CommandContext {
  values: CommonValues;
  baseUrl: string;
  client: OrchClient;
}

/**
 * Runs a command that takes only COMMON_OPTIONS: parses them (a bad line is a usage error), answers
 * --help with `usage`, then runs `body`, mapping whatever it throws to an exit code.
 */
export async function runCommonCommand(
  args: string[],
  usage: string,
  io: CliIo,
  body: (ctx: CommandContext) => Promise<number>,
): Promise<number> {
  let values: CommonValues;
  try {
    ({ values } = parseArgs({ args, options: COMMON_OPTIONS, strict: true }));
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err), usage, io);
  }
  if (values.help) {
    io.stdout.write(usage);
    return EXIT.ok;
  }
  const { baseUrl, client } = makeClient(values, io);
  try {
    return await body({ values, baseUrl, client });
  } catch (err) {
    return reportError(err, baseUrl, io);
  }
}
