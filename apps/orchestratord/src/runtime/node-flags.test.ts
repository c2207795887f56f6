import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS } from './node-flags.js';

const root = new URL('../../../../', import.meta.url);

describe('daemon node flags', () => {
  it('[ORCHD-SHUT-2] the start script and the README start the daemon with DAEMON_NODE_FLAGS', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const cmd = `node ${DAEMON_NODE_FLAGS.join(' ')} apps/orchestratord/dist/cli.js serve`;
    expect(pkg.scripts.start).toContain(cmd);
    expect(readme).toContain(`node ${DAEMON_NODE_FLAGS.join(' ')}`);
  });
});
