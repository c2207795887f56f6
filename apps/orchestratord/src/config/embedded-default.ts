import { EMBEDDED_MODEL } from '../adapters/builtin-plugins.js';
import type { DaemonConfigInput } from './config-schema.js';

/**
 * No file, no env: serve the repo's own bundled model in-process, so a fresh clone starts and
 * answers offline. One replica with a small slot count: a CPU runs one forward pass at a time.
 */
export function embeddedDefaultConfig(): DaemonConfigInput {
  return {
    pools: [
      {
        id: 'local',
        adapter: 'local-transformers',
        models: [EMBEDDED_MODEL, '*'],
        priority: 0,
        options: { model: EMBEDDED_MODEL },
        replicas: [{ id: 'r0', max_concurrent: 2 }],
        // Loading the model takes a moment on first start; a slow probe is not a dead engine.
        health: { interval_ms: 2_000, timeout_ms: 5_000, unhealthy_after: 3, healthy_after: 1 },
      },
    ],
  };
}
