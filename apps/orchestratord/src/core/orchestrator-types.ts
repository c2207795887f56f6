// The seam between the daemon's core (config, pools, queue, dispatch, health) and its HTTP
// surfaces (native /v2, OpenAI, TGI, local-model API). Route modules depend on this file only.
import type {
  AdapterProps,
  CancelSignal,
  HealthReport,
  TaskRequest,
  TaskRequestInput,
  TerminalEvent,
  TokenEvent,
} from '@orch/adapter-api';

export interface SubmitContext {
  correlationId: string;
  /** Aborting it cancels the job (client disconnect). */
  signal?: CancelSignal;
  /** Placement: pin to a pool/replica (never falls back) or prefer one. */
  placement?: { pin?: { pool?: string; replica?: string }; prefer?: { pool?: string; replica?: string } };
  /**
   * Keep the finished job for GET /v2/tasks/{id} and replays (default true). The compatible APIs
   * answer with the whole result and pass false unless asked to store it (ORCHD-JOB-1).
   */
  retain?: boolean;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A job admitted by the daemon. Its events survive failover: one `started`, tokens, one terminal. */
export interface JobHandle {
  readonly taskId: string;
  readonly task: TaskRequest;
  readonly queuePosition: number;
  readonly predictedStartMs: number;
  readonly state: JobState;
  /** Iterate once per consumer; each call replays the events so far, then follows live. */
  events(): AsyncIterable<TokenEvent>;
  /** Race-free: no token is delivered to anyone after cancel() returns. */
  cancel(): void;
  readonly result: Promise<TerminalEvent>;
}

export interface PoolView {
  id: string;
  adapter: string;
  models: string[];
  priority: number;
  draining: boolean;
  queue: { depth: number; capacity: number; policy: 'reject' | 'drop-lru' };
  replicas: Array<{
    id: string;
    state: 'ready' | 'unready' | 'draining';
    health: HealthReport | null;
    inFlight: number;
    maxConcurrent: number;
    breaker: 'closed' | 'open' | 'half-open';
  }>;
}

export interface ModelView {
  id: string;
  pools: string[];
  /** From the engines' props(), when known. */
  props?: AdapterProps;
}

export interface Orchestrator {
  /**
   * Validates and admits a task. Throws OrchError: INVALID_REQUEST (400, names the field),
   * NOT_FOUND (no pool serves the model), RATE_LIMITED/queue full (429, retryAfterMs),
   * OVERLOADED with upstreamType 'POOL_UNREADY' (503) when no replica is ready.
   */
  submit(task: TaskRequestInput, ctx: SubmitContext): JobHandle;
  getJob(taskId: string): JobHandle | undefined;
  pools(): PoolView[];
  models(): Promise<ModelView[]>;
  /** False while shutting down. */
  readonly accepting: boolean;
}
