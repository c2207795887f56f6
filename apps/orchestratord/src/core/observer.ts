import type { TerminalEvent } from '@orch/adapter-api';
import type { Job } from './job.js';
import type { Pool } from './pool.js';
import type { Replica } from './replica.js';

/** What the core tells metrics and logs. Every method is optional; none may throw. */
export interface OrchestratorObserver {
  enqueued?(job: Job, pool: Pool): void;
  rejected?(pool: string, reason: string, priority: string): void;
  dispatched?(job: Job, pool: Pool, replica: Replica): void;
  backpressure?(job: Job, pool: Pool, replica: Replica, cooldownMs: number): void;
  failover?(job: Job, from: { pool: string; replica: string }, reason: string): void;
  finished?(job: Job, terminal: TerminalEvent, pool: Pool | undefined, replica: Replica | undefined): void;
  replicaPhase?(pool: string, replica: Replica, from: string, to: string): void;
  poolRemoved?(pool: string, replicas: string[]): void;
}
