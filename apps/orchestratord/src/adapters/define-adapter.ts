import type { WorkerAdapter } from '@orch/adapter-api';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { PoolConfig, ReplicaConfig } from '../config/config-schema.js';

export interface AdapterCreateContext<O> {
  pool: PoolConfig;
  replica: ReplicaConfig;
  /** The pool's `options` merged with the replica's, validated by the plugin's schema. */
  options: O;
  /** Resolved from the replica's `api_key_env` by the daemon; adapters never read env themselves. */
  apiKey?: string;
  /** A stable id for logs and metrics: `<pool>/<replica>`. */
  adapterId: string;
  /** Logger bound to the pool and replica (never pass it secrets). */
  log: Logger;
}

export interface AdapterPlugin<O = unknown> {
  readonly name: string;
  readonly configSchema: z.ZodType<O>;
  /** Replicas of this adapter must carry a `url`. */
  readonly requiresUrl?: boolean;
  /** Replicas of this adapter must name an `api_key_env`. */
  readonly requiresApiKey?: boolean;
  create(ctx: AdapterCreateContext<O>): WorkerAdapter | Promise<WorkerAdapter>;
}

/** The one way to add an engine to the daemon; the built-in adapters use it too. */
export function defineAdapter<S extends z.ZodType>(plugin: {
  name: string;
  configSchema: S;
  requiresUrl?: boolean;
  requiresApiKey?: boolean;
  create(ctx: AdapterCreateContext<z.output<S>>): WorkerAdapter | Promise<WorkerAdapter>;
}): AdapterPlugin<z.output<S>> {
  return plugin as AdapterPlugin<z.output<S>>;
}

export class AdapterRegistry {
  private readonly plugins = new Map<string, AdapterPlugin>();

  constructor(plugins: readonly AdapterPlugin[] = []) {
    for (const p of plugins) this.register(p);
  }

  register(plugin: AdapterPlugin): void {
    if (this.plugins.has(plugin.name))
      throw new Error(`adapter plugin '${plugin.name}' is already registered`);
    this.plugins.set(plugin.name, plugin);
  }

  get(name: string): AdapterPlugin | undefined {
    return this.plugins.get(name);
  }

  names(): string[] {
    return [...this.plugins.keys()];
  }
}
