// `orchd pools`: the daemon's pools, replicas ready, in-flight and queue depth.
import { type CliIo, defaultIo, runCommonCommand } from './cli-common.js';
import { PoolRow, poolTable, writeList } from './list-format.js';

const USAGE = `usage: orchd pools [--json] [--url <url>] [--token <t>]
`;

export function run(args: string[], io: CliIo = defaultIo()): Promise<number> {
  return runCommonCommand(args, USAGE, io, async ({ values, client }) =>
    writeList(io, values.json, await client.pools(), PoolRow, 'no pools', poolTable),
  );
}
