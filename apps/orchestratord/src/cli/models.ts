// `orchd models`: the models the daemon serves and which pools serve them.
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
import { ModelRow, modelTable } from './list-format.js';

const USAGE = `usage: orchd models [--json] [--url <url>] [--token <t>]
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
    const models = await client.models();
    const rows = z.array(ModelRow).safeParse(models);
    if (values.json || !rows.success) io.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    else io.stdout.write(models.length === 0 ? 'no models\n' : modelTable(rows.data));
    return EXIT.ok;
  } catch (err) {
    return reportError(err, baseUrl, io);
  }
}
