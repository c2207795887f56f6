import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtinPlugins } from '../adapters/builtin-plugins.js';
import { AdapterRegistry } from '../adapters/define-adapter.js';
import { parseConfig } from './load-config.js';

// The README's configuration examples are what users copy first: they must stay valid.
const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const env = { HF_TOKEN: 'hf_example', ORCHD_TOKEN: 'user-token', ORCHD_ADMIN_TOKEN: 'admin-token' };

describe('README configuration examples', () => {
  it('[ORCHD-CFG-1] the README has configuration examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  blocks.forEach((block, i) => {
    it(`[ORCHD-CFG-1] example ${i + 1} passes the strict config schema`, () => {
      const config = parseConfig(
        parse(block),
        new AdapterRegistry(builtinPlugins()),
        env,
        `README example ${i + 1}`,
      );
      expect(config.pools.length).toBeGreaterThan(0);
    });
  });
});
