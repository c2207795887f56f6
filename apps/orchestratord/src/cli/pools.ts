// `orchd pools`: the daemon's pools, replicas ready, in-flight and queue depth.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  type CliIo,
  COMMON_OPTIONS,
  defaultIo,
  EXIT,
  makeClient,
  reportError,
  usageError,
} from './cli-common.js';
import { PoolRow, poolTable } from './list-format.js';

const USAGE = `usage: orchd pools [--json] [--url <url>] [--token <t>]
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
    const pools = await client.pools();
    const rows = z.array(PoolRow).safeParse(pools);
    if (values.json || !rows.success) io.stdout.write(`${JSON.stringify(pools, null, 2)}\n`);
    else io.stdout.write(pools.length === 0 ? 'no pools\n' : poolTable(rows.data));
    return EXIT.ok;
  } catch (err) {
    return reportError(err, baseUrl, io);
  }
}
