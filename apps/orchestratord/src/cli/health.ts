// `orchd health`: is the daemon up (/healthz) and ready to take work (/readyz)? Exit 0 only when ready.
import { type CliIo, defaultIo, EXIT, runCommonCommand } from './cli-common.js';

const USAGE = `usage: orchd health [--json] [--url <url>] [--token <t>]

exit codes: 0 ready, 1 up but not ready, 3 unreachable
`;

export function run(args: string[], io: CliIo = defaultIo()): Promise<number> {
  return runCommonCommand(args, USAGE, io, async ({ values, baseUrl, client }) => {
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
  });
}
