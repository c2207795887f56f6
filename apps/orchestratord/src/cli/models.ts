// `orchd models`: the models the daemon serves and which pools serve them.
import { type CliIo, defaultIo, runCommonCommand } from './cli-common.js';
import { ModelRow, modelTable, writeList } from './list-format.js';

const USAGE = `usage: orchd models [--json] [--url <url>] [--token <t>]
`;

export function run(args: string[], io: CliIo = defaultIo()): Promise<number> {
  return runCommonCommand(args, USAGE, io, async ({ values, client }) =>
    writeList(io, values.json, await client.models(), ModelRow, 'no models', modelTable),
  );
}
