import type { WorkerAdapter } from '@orch/adapter-api';
import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters/define-adapter.js';
import type { DaemonConfig, PoolConfig, ReplicaConfig } from '../config/config-schema.js';
import type { Env } from '../config/load-config.js';
import { AdmissionError } from './admission-error.js';
import { Pool } from './pool.js';
import { Replica, type ReplicaListener } from './replica.js';
import type { Scheduler } from './scheduler.js';

export interface ApplyReport {
  added: string[];
  removed: string[];
  updated: string[];
  replicasAdded: string[];
  replicasRemoved: string[];
}

interface Planned {
  cfg: PoolConfig;
  replace: boolean;
  adapters: Map<string, WorkerAdapter>;
}

function mergedOptions(pool: PoolConfig, replica: ReplicaConfig): string {
  return JSON.stringify({ ...(pool.options ?? {}), ...(replica.options ?? {}) });
}

/** Replicas whose endpoint or credentials changed need a new adapter; other changes apply in place. */
function sameEndpoint(oldPool: PoolConfig, oldR: ReplicaConfig, pool: PoolConfig, r: ReplicaConfig): boolean {
  return (
    oldR.url === r.url &&
    oldR.api_key_env === r.api_key_env &&
    mergedOptions(oldPool, oldR) === mergedOptions(pool, r)
  );
}

/**
 * Turns configurations into live pools and replicas, first at start and then on every reload:
 * new adapters are all built before anything changes (one failure keeps the old set), then
 * added, updated in place, or retired (removed replicas finish their jobs, then close).
 */
export class PoolManager {
  readonly pools = new Map<string, Pool>();
  private readonly closing = new Set<Replica>();
  scheduler: Scheduler | undefined;

  constructor(
    private readonly registry: AdapterRegistry,
    private readonly env: Env,
    private readonly log: Logger,
    private readonly listener: ReplicaListener,
    /** The queues' clock (tests inject one to age batch jobs without waiting). */
    private readonly clock?: () => number,
  ) {}

  async apply(config: DaemonConfig): Promise<ApplyReport> {
    const plans = await this.build(config);
    const report: ApplyReport = {
      added: [],
      removed: [],
      updated: [],
      replicasAdded: [],
      replicasRemoved: [],
    };
    const wanted = new Set(config.pools.map((p) => p.id));
    for (const [id, pool] of [...this.pools]) {
      if (!wanted.has(id)) {
        this.retirePool(pool);
        report.removed.push(id);
      }
    }
    const starts: Array<Promise<void>> = [];
    for (const plan of plans) {
      const old = this.pools.get(plan.cfg.id);
      let pool: Pool;
      if (!old || plan.replace) {
        if (old) this.retirePool(old);
        pool = new Pool(plan.cfg, this.clock);
        this.pools.set(pool.id, pool);
        report.added.push(pool.id);
      } else {
        pool = old;
        const before = pool.config;
        pool.updateConfig(plan.cfg);
        if (JSON.stringify(before) !== JSON.stringify(plan.cfg)) report.updated.push(pool.id);
        const keep = new Set(plan.cfg.replicas.map((r) => r.id));
        for (const r of [...pool.replicas.values()]) {
          if (!keep.has(r.id) || plan.adapters.has(r.id)) {
            this.retireReplica(pool, r);
            if (!keep.has(r.id)) report.replicasRemoved.push(r.key);
          }
        }
      }
      for (const rcfg of plan.cfg.replicas) {
        const adapter = plan.adapters.get(rcfg.id);
        if (adapter) {
          const replica = new Replica(
            pool.id,
            rcfg,
            adapter,
            plan.cfg.health,
            plan.cfg.breaker,
            this.listener,
          );
          pool.replicas.set(rcfg.id, replica);
          report.replicasAdded.push(replica.key);
          starts.push(replica.start());
        } else {
          pool.replicas.get(rcfg.id)?.updateSettings(rcfg, plan.cfg.health, plan.cfg.breaker);
        }
      }
    }
    await Promise.all(starts);
    for (const pool of this.pools.values()) {
      this.scheduler?.evacuate(pool);
      this.scheduler?.pump(pool);
    }
    return report;
  }

  private async build(config: DaemonConfig): Promise<Planned[]> {
    const plans: Planned[] = [];
    try {
      for (const cfg of config.pools) {
        const old = this.pools.get(cfg.id);
        const replace = !old || old.config.adapter !== cfg.adapter;
        const plan: Planned = { cfg, replace, adapters: new Map() };
        plans.push(plan);
        for (const r of cfg.replicas) {
          const oldR = replace ? undefined : old?.replicas.get(r.id);
          if (oldR && old && sameEndpoint(old.config, oldR.config, cfg, r)) continue;
          plan.adapters.set(r.id, await this.create(cfg, r));
        }
      }
    } catch (err) {
      await Promise.allSettled(plans.flatMap((p) => [...p.adapters.values()].map((a) => a.close())));
      throw err;
    }
    return plans;
  }

  private async create(pool: PoolConfig, replica: ReplicaConfig): Promise<WorkerAdapter> {
    const plugin = this.registry.get(pool.adapter);
    if (!plugin) throw new Error(`pools '${pool.id}': unknown adapter '${pool.adapter}'`);
    const options = plugin.configSchema.parse({ ...(pool.options ?? {}), ...(replica.options ?? {}) });
    const apiKey = replica.api_key_env ? this.env[replica.api_key_env] : undefined;
    const adapterId = `${pool.id}/${replica.id}`;
    this.log.info({ pool: pool.id, replica: replica.id, adapter: pool.adapter }, 'creating adapter');
    const log = this.log.child({ pool: pool.id, replica: replica.id });
    return plugin.create({ pool, replica, options, adapterId, log, ...(apiKey ? { apiKey } : {}) });
  }

  /** A removed pool: queued jobs move to another pool or fail; running ones finish, then close. */
  private retirePool(pool: Pool): void {
    pool.draining = true;
    if (this.pools.get(pool.id) === pool) this.pools.delete(pool.id);
    for (const job of pool.queue.drainAll()) {
      if (!this.scheduler?.moveToNextPool(job, pool)) {
        job.failWith(
          new AdmissionError('OVERLOADED', 'POOL_UNAVAILABLE', `pool '${pool.id}' was removed`, 'reload', {
            status: 503,
            retriable: true,
          }),
        );
      }
    }
    if (pool.wakeTimer) clearTimeout(pool.wakeTimer);
    for (const r of [...pool.replicas.values()]) this.retireReplica(pool, r);
  }

  private retireReplica(pool: Pool, replica: Replica): void {
    replica.draining = true;
    if (pool.replicas.get(replica.id) === replica) pool.replicas.delete(replica.id);
    this.closing.add(replica);
    if (replica.inFlight === 0) void this.closeReplica(replica);
  }

  /** Called when a draining replica's last job ended. */
  async closeReplica(replica: Replica): Promise<void> {
    if (!this.closing.delete(replica)) return;
    try {
      await replica.close();
    } catch (err) {
      this.log.warn({ replica: replica.key, err: String(err) }, 'closing a retired adapter failed');
    }
  }

  /** Stops probes and closes every adapter (jobs were drained or cancelled before). */
  async closeAll(): Promise<void> {
    const all: Replica[] = [...this.closing];
    this.closing.clear();
    for (const pool of this.pools.values()) {
      if (pool.wakeTimer) clearTimeout(pool.wakeTimer);
      all.push(...pool.replicas.values());
    }
    await Promise.allSettled(all.map((r) => r.close()));
  }
}
