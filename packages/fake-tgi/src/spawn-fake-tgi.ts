import { fileURLToPath } from 'node:url';
import { type ChildServer, spawnChildServer } from './child-server.js';
import type { FakeTgiOptions } from './types.js';

export type SpawnedFakeTgi = ChildServer;

/**
 * Starts the fake server in a child process (built dist only: it runs dist/cli.js). Faults can only be
 * given up front here; use startFakeTgi in-process when a test needs to change them or read requests.
 */
export function spawnFakeTgi(opts: FakeTgiOptions = {}): Promise<SpawnedFakeTgi> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  return spawnChildServer(cli, [JSON.stringify(opts)]);
}
