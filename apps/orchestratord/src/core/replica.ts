import type { HealthReport, WorkerAdapter } from '@orch/adapter-api';
import type { HealthConfig, ReplicaConfig } from '../config/config-schema.js';
import { Breaker, type BreakerState } from './breaker.js';

/** `starting`: no verdict yet, or the engine is alive but still loading (jobs may queue for it). */
export type ReplicaPhase = 'starting' | 'ready' | 'unready';

export interface ReplicaListener {
  /** The replica became (un)usable: the pool re-checks its queue. */
  onPhaseChange(replica: Replica, from: ReplicaPhase, to: ReplicaPhase): void;
}

/**
 * One engine endpoint in a pool: its adapter, slot accounting, active health (probe loop with
 * rise/fall thresholds), passive health (a breaker fed by outcomes) and backpressure cool-down.
 */
export class Replica {
  readonly id: string;
  readonly poolId: string;
  /** `<pool>/<replica>`: unique across pools (a job's failover exclusions use it). */
  readonly key: string;
  config: ReplicaConfig;
  readonly adapter: WorkerAdapter;
  readonly breaker: Breaker;
  phase: ReplicaPhase = 'starting';
  draining = false;
  lastHealth: HealthReport | null = null;
  /** Epoch ms until which backpressure keeps new jobs away. */
  coolUntil = 0;
  private inflight = 0;
  private okStreak = 0;
  private failStreak = 0;
  private timer: NodeJS.Timeout | undefined;
  private probeAbort: AbortController | undefined;
  private closed = false;
  private health: HealthConfig;
  private readonly listener: ReplicaListener;
  private firstProbe: Promise<void> | undefined;

  constructor(
    poolId: string,
    config: ReplicaConfig,
    adapter: WorkerAdapter,
    health: HealthConfig,
    breaker: { failure_threshold: number; cooldown_ms: number },
    listener: ReplicaListener,
  ) {
    this.id = config.id;
    this.poolId = poolId;
    this.key = `${poolId}/${config.id}`;
    this.config = config;
    this.adapter = adapter;
    this.health = health;
    this.listener = listener;
    this.breaker = new Breaker(breaker.failure_threshold, breaker.cooldown_ms);
  }

  get inFlight(): number {
    return this.inflight;
  }

  get maxConcurrent(): number {
    return this.config.max_concurrent;
  }

  get weight(): number {
    return this.config.weight;
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** Can take a job right now. */
  available(now: number): boolean {
    return (
      this.phase === 'ready' &&
      !this.draining &&
      this.inflight < this.config.max_concurrent &&
      now >= this.coolUntil &&
      this.breaker.canPass()
    );
  }

  /** Worth queueing for: ready (maybe busy or cooling) or still starting, and its breaker not open. */
  usable(): boolean {
    return !this.draining && this.phase !== 'unready' && this.breaker.state !== 'open';
  }

  /** Slot accounting is paired by construction: every acquire is released in a `finally`. */
  acquire(): void {
    this.inflight++;
    this.breaker.acquire();
  }

  release(): void {
    this.inflight = Math.max(0, this.inflight - 1);
  }

  coolDown(ms: number): void {
    this.coolUntil = Math.max(this.coolUntil, Date.now() + ms);
  }

  updateSettings(
    config: ReplicaConfig,
    health: HealthConfig,
    breaker: { failure_threshold: number; cooldown_ms: number },
  ): void {
    this.config = config;
    this.health = health;
    this.breaker.configure(breaker.failure_threshold, breaker.cooldown_ms);
  }

  /** Starts the probe loop; resolves after the first probe (bounded by its timeout). */
  start(): Promise<void> {
    this.firstProbe ??= this.probe().then(() => this.schedule());
    return this.firstProbe;
  }

  /** One health check, applied with the rise/fall thresholds. */
  async probe(): Promise<void> {
    if (this.closed) return;
    const ac = new AbortController();
    this.probeAbort = ac;
    const timer = setTimeout(() => ac.abort(), this.health.timeout_ms);
    let report: HealthReport;
    try {
      report = await Promise.race([
        this.adapter.health({ signal: ac.signal }),
        new Promise<never>((_, reject) => {
          ac.signal.addEventListener('abort', () => reject(new Error('health probe timed out')), {
            once: true,
          });
        }),
      ]);
    } catch (err) {
      report = {
        state: 'unhealthy',
        live: false,
        ready: false,
        message: err instanceof Error ? err.message : String(err),
        latencyMs: this.health.timeout_ms,
        checkedAt: Date.now(),
      };
    } finally {
      clearTimeout(timer);
      if (!ac.signal.aborted) ac.abort();
      this.probeAbort = undefined;
    }
    if (this.closed) return;
    this.applyReport(report);
  }

  applyReport(report: HealthReport): void {
    this.lastHealth = report;
    const before = this.phase;
    if (report.ready) {
      this.okStreak++;
      this.failStreak = 0;
      if (
        this.phase === 'starting' ||
        (this.phase === 'unready' && this.okStreak >= this.health.healthy_after)
      ) {
        this.phase = 'ready';
      }
    } else {
      this.failStreak++;
      this.okStreak = 0;
      if (this.phase === 'starting') {
        // Alive but loading: keep waiting for it. Not even alive on first contact: unready now.
        if (!report.live) this.phase = 'unready';
      } else if (this.phase === 'ready' && this.failStreak >= this.health.unhealthy_after) {
        this.phase = 'unready';
      }
    }
    if (before !== this.phase) this.listener.onPhaseChange(this, before, this.phase);
  }

  private schedule(): void {
    if (this.closed) return;
    // A replica still loading is checked more often, so it takes work soon after it can.
    const every =
      this.phase === 'starting' ? Math.min(250, this.health.interval_ms) : this.health.interval_ms;
    this.timer = setTimeout(() => {
      void this.probe().then(() => this.schedule());
    }, every);
    this.timer.unref();
  }

  /** Stops probing and closes the adapter (after its jobs were drained or cancelled). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.probeAbort?.abort();
    await this.adapter.close();
  }
}
