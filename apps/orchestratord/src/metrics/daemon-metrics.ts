import type { TerminalEvent } from '@orch/adapter-api';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Job } from '../core/job.js';
import type { OrchestratorObserver } from '../core/observer.js';
import type { PoolView } from '../core/orchestrator-types.js';
import type { Pool } from '../core/pool.js';
import type { Replica } from '../core/replica.js';

const LATENCY_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
const OVERHEAD_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100];
const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * The daemon's Prometheus metrics, on a registry of its own (several daemons in one process, as
 * in tests, don't collide). Labels only take values from the configuration (pool and replica
 * ids, engines) or small fixed sets, so cardinality stays bounded whatever the traffic.
 */
export class DaemonMetrics implements OrchestratorObserver {
  readonly registry = new Registry();
  private readonly enqueuedTotal: Counter<'pool_id' | 'priority'>;
  private readonly startedTotal: Counter<'pool_id' | 'replica_id' | 'engine'>;
  private readonly cancelledTotal: Counter<'pool_id'>;
  private readonly rejectedTotal: Counter<'pool_id' | 'reason' | 'priority'>;
  private readonly finishedTotal: Counter<'pool_id' | 'outcome'>;
  private readonly tokensIn: Counter<'pool_id'>;
  private readonly tokensOut: Counter<'pool_id'>;
  private readonly firstToken: Histogram<'pool_id'>;
  private readonly decode: Histogram<'pool_id'>;
  private readonly backpressureTotal: Counter<'pool_id' | 'replica_id'>;
  private readonly failoverTotal: Counter<'pool_id' | 'reason'>;
  readonly overhead: Histogram<'route'>;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;

  constructor(pools: () => PoolView[], opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'orchd_' });
    this.enqueuedTotal = new Counter({
      name: 'orchd_tasks_enqueued_total',
      help: 'Tasks admitted into a queue',
      labelNames: ['pool_id', 'priority'],
      registers,
    });
    this.startedTotal = new Counter({
      name: 'orchd_tasks_started_total',
      help: 'Attempts dispatched to a replica',
      labelNames: ['pool_id', 'replica_id', 'engine'],
      registers,
    });
    this.cancelledTotal = new Counter({
      name: 'orchd_tasks_canceled_total',
      help: 'Tasks cancelled (client, cancel API, shutdown)',
      labelNames: ['pool_id'],
      registers,
    });
    this.rejectedTotal = new Counter({
      name: 'orchd_tasks_rejected_total',
      help: 'Tasks refused at admission or evicted',
      labelNames: ['pool_id', 'reason', 'priority'],
      registers,
    });
    this.finishedTotal = new Counter({
      name: 'orchd_tasks_finished_total',
      help: 'Tasks finished, by outcome',
      labelNames: ['pool_id', 'outcome'],
      registers,
    });
    this.tokensIn = new Counter({
      name: 'orchd_tokens_in_total',
      help: 'Prompt tokens reported by engines',
      labelNames: ['pool_id'],
      registers,
    });
    this.tokensOut = new Counter({
      name: 'orchd_tokens_out_total',
      help: 'Tokens generated and relayed',
      labelNames: ['pool_id'],
      registers,
    });
    this.firstToken = new Histogram({
      name: 'orchd_latency_first_token_ms',
      help: 'Engine time to first token',
      labelNames: ['pool_id'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.decode = new Histogram({
      name: 'orchd_latency_decode_ms',
      help: 'Time from first token to the end',
      labelNames: ['pool_id'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.backpressureTotal = new Counter({
      name: 'orchd_admission_backpressure_events_total',
      help: 'Upstream overloaded answers (job requeued, replica cooled down)',
      labelNames: ['pool_id', 'replica_id'],
      registers,
    });
    this.failoverTotal = new Counter({
      name: 'orchd_failovers_total',
      help: 'Retries on another replica or pool before the first token',
      labelNames: ['pool_id', 'reason'],
      registers,
    });
    this.overhead = new Histogram({
      name: 'orchd_overhead_ms',
      help: 'Time a request spent in the daemon itself (wall time minus queue and engine time)',
      labelNames: ['route'],
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.httpRequests = new Counter({
      name: 'orchd_http_requests_total',
      help: 'HTTP requests by route pattern and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });

    const replicaReady = new Gauge({
      name: 'orchd_replica_ready',
      help: '1 when the replica is ready',
      labelNames: ['pool_id', 'replica_id'],
      registers: [],
    });
    const replicaInFlight = new Gauge({
      name: 'orchd_replica_in_flight',
      help: 'Jobs running on the replica',
      labelNames: ['pool_id', 'replica_id'],
      registers: [],
    });
    const breaker = new Gauge({
      name: 'orchd_breaker_state',
      help: 'Breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['pool_id', 'replica_id'],
      registers: [],
    });
    // The first per-pool gauge refreshes all of them (metrics are collected in registration
    // order), and resetting first makes removed pools vanish from the output.
    new Gauge({
      name: 'orchd_queue_depth',
      help: 'Jobs waiting in a pool queue',
      labelNames: ['pool_id'],
      registers,
      collect() {
        const views = pools();
        this.reset();
        replicaReady.reset();
        replicaInFlight.reset();
        breaker.reset();
        for (const p of views) {
          this.set({ pool_id: p.id }, p.queue.depth);
          for (const r of p.replicas) {
            const labels = { pool_id: p.id, replica_id: r.id };
            replicaReady.set(labels, r.state === 'ready' ? 1 : 0);
            replicaInFlight.set(labels, r.inFlight);
            breaker.set(labels, BREAKER_VALUE[r.breaker]);
          }
        }
      },
    });
    for (const g of [replicaReady, replicaInFlight, breaker]) this.registry.registerMetric(g);
  }

  enqueued(job: Job, pool: Pool): void {
    this.enqueuedTotal.inc({ pool_id: pool.id, priority: job.task.priority });
  }

  rejected(pool: string, reason: string, priority: string): void {
    this.rejectedTotal.inc({ pool_id: pool, reason, priority });
  }

  dispatched(_job: Job, pool: Pool, replica: Replica): void {
    this.startedTotal.inc({ pool_id: pool.id, replica_id: replica.id, engine: replica.adapter.engine });
  }

  backpressure(_job: Job, pool: Pool, replica: Replica): void {
    this.backpressureTotal.inc({ pool_id: pool.id, replica_id: replica.id });
  }

  failover(_job: Job, from: { pool: string }, reason: string): void {
    this.failoverTotal.inc({ pool_id: from.pool, reason });
  }

  finished(job: Job, terminal: TerminalEvent, pool: Pool | undefined): void {
    const pool_id = pool?.id ?? job.poolId;
    this.finishedTotal.inc({ pool_id, outcome: job.state });
    if (terminal.type === 'end') {
      if (terminal.usage.prompt_tokens) this.tokensIn.inc({ pool_id }, terminal.usage.prompt_tokens);
      this.tokensOut.inc({ pool_id }, terminal.usage.completion_tokens);
      this.firstToken.observe({ pool_id }, terminal.metrics.ttft_ms);
      this.decode.observe({ pool_id }, Math.max(0, terminal.metrics.total_ms - terminal.metrics.ttft_ms));
      return;
    }
    if (terminal.tokens_emitted) this.tokensOut.inc({ pool_id }, terminal.tokens_emitted);
    if (terminal.code === 'CANCELLED') this.cancelledTotal.inc({ pool_id });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
