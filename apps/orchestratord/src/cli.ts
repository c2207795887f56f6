#!/usr/bin/env node
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runServe } from './serve.js';

const SUBCOMMANDS = ['submit', 'pools', 'models', 'health'] as const;

const HELP = `usage: orchd <command> [options]

commands:
  serve     run the daemon (orchd serve --help)
  submit    submit a task and stream its tokens
  pools     list pools and replica health
  models    list the models served
  health    check a daemon's health
`;

/** Dispatches `orchd <command>`; the client subcommands live in ./cli/<name>.js. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd ? 0 : 2;
  }
  if (cmd === 'serve') return runServe(rest);
  if ((SUBCOMMANDS as readonly string[]).includes(cmd)) {
    const url = new URL(`./cli/${cmd}.js`, import.meta.url);
    const file = fileURLToPath(url);
    if (!existsSync(file)) {
      process.stderr.write(`orchd: the '${cmd}' command is not available in this build\n`);
      return 1;
    }
    const mod = (await import(url.href)) as { run?: (args: string[]) => Promise<number> };
    if (typeof mod.run !== 'function') {
      process.stderr.write(`orchd: ${file} does not export run()\n`);
      return 1;
    }
    return mod.run(rest);
  }
  process.stderr.write(`orchd: unknown command '${cmd}'\n\n${HELP}`);
  return 2;
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    // Through a bin symlink argv[1] is the link, not this file.
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

const invokedDirectly = isMain();
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`orchd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
