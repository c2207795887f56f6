// Starts the real daemon (startDaemon) with one pool of MockAdapters, for end-to-end tests of the
// compat APIs, the client and the CLI through the core's server, router, auth and queue.
import { MockAdapter, type MockAdapterOptions } from '@orch/adapter-api/testing';
import { pino } from 'pino';
import { z } from 'zod';
import { defineAdapter } from '../../../adapters/define-adapter.js';
import { type Daemon, type DaemonOptions, startDaemon } from '../../../daemon.js';

export interface MockDaemon {
  daemon: Daemon;
  url: string;
  /** The adapters the daemon built, by replica id. */
  adapters: Map<string, MockAdapter>;
  close(): Promise<void>;
}

export async function startMockDaemon(
  opts: {
    env?: Record<string, string>;
    adapter?: MockAdapterOptions;
    localModels?: DaemonOptions['localModels'];
    /** The pool's models (default: mock-model and '*'). */
    models?: string[];
  } = {},
): Promise<MockDaemon> {
  const adapters = new Map<string, MockAdapter>();
  const plugin = defineAdapter({
    // Not the built-in 'mock' plugin: the tests need the adapter instances to inject faults.
    name: 'test-mock',
    configSchema: z.object({}).strict(),
    create(ctx) {
      const a = new MockAdapter({ model: 'mock-model', id: ctx.adapterId, ...opts.adapter });
      adapters.set(ctx.replica.id, a);
      return a;
    },
  });
  const daemon = await startDaemon(
    {
      server: { addr: '127.0.0.1:0', shutdown_grace_ms: 0 },
      log: { level: 'silent' },
      pools: [
        {
          id: 'mockpool',
          adapter: 'test-mock',
          // '*' also takes tasks that name no model (TGI and @huggingface/inference clients send none).
          models: opts.models ?? ['mock-model', '*'],
          replicas: [{ id: 'r0', max_concurrent: 8 }],
          health: { interval_ms: 50, timeout_ms: 50, unhealthy_after: 1, healthy_after: 1 },
        },
      ],
    },
    {
      plugins: [plugin],
      env: opts.env ?? {},
      logger: pino({ level: 'silent' }),
      defaultMetrics: false,
      ...(opts.localModels ? { localModels: opts.localModels } : {}),
    },
  );
  await waitReady(daemon.url);
  return { daemon, url: daemon.url, adapters, close: () => daemon.close(0) };
}

/** Waits (bounded: 2 s) until the daemon at `url` reports a ready replica. */
export async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${url}/readyz`);
    await r.arrayBuffer();
    if (r.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
