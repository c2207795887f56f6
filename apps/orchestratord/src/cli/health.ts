// `orchd health`: is the daemon up (/healthz) and ready to take work (/readyz)? Exit 0 only when ready.
import { parseArgs } from 'node:util';
import {
  type CliIo,
  COMMON_OPTIONS,
  defaultIo,
  EXIT,
  makeClient,
  reportError,
  usageError,
} from './cli-common.js';

const USAGE = `usage: orchd health [--json] [--url <url>] [--token <t>]

exit codes: 0 ready, 1 up but not ready, 3 unreachable
`;

export async function run(args: string[], io: CliIo = defaultIo()): Promise<number> {
  let values: { json: boolean; help: boolean; url?: string | undefined; token?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: COMMON_OPTIONS, strict: true }));
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err), USAGE, io);
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const { baseUrl, client } = makeClient(values, io);
  try {
    const h = await client.health();
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ url: baseUrl, ...h })}\n`);
    } else {
      io.stdout.write(`daemon  ${baseUrl}\n`);
      io.stdout.write(`live    ${h.live.ok ? 'yes' : `no (HTTP ${h.live.status})`}\n`);
      io.stdout.write(`ready   ${h.ready.ok ? 'yes' : `no (HTTP ${h.ready.status})`}\n`);
      if (!h.ready.ok) io.stdout.write(`reason  ${JSON.stringify(h.ready.body)}\n`);
    }
    return h.live.ok && h.ready.ok ? EXIT.ok : EXIT.failed;
  } catch (err) {
    return reportError(err, baseUrl, io);
  }
}
