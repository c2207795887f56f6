import { OrchError, type OrchErrorOptions } from '@orch/adapter-api';

/**
 * The daemon's own refusal codes (llama-orch's vocabulary) travel in `upstreamType`, which the
 * HTTP layer renders as the body's `code`; `policyLabel` says which rule refused the job.
 */
export type DaemonCode =
  | 'ADMISSION_REJECT'
  | 'QUEUE_FULL_DROP_LRU'
  | 'POOL_UNREADY'
  | 'POOL_UNAVAILABLE'
  | 'REPLICA_EXHAUSTED'
  | 'DEADLINE_UNMET'
  | 'SHUTTING_DOWN'
  | 'NO_POOL_FOR_MODEL';

export class AdmissionError extends OrchError {
  readonly policyLabel: string;

  constructor(
    code: OrchError['code'],
    daemonCode: DaemonCode,
    message: string,
    policyLabel: string,
    options: OrchErrorOptions = {},
  ) {
    super(code, message, { ...options, upstreamType: daemonCode });
    this.policyLabel = policyLabel;
  }
}

export function queueFull(
  poolId: string,
  policy: 'reject' | 'drop-lru',
  retryAfterMs: number,
): AdmissionError {
  const code: DaemonCode = policy === 'reject' ? 'ADMISSION_REJECT' : 'QUEUE_FULL_DROP_LRU';
  return new AdmissionError(
    'RATE_LIMITED',
    code,
    `the queue of pool '${poolId}' is full`,
    `${poolId}:${policy}`,
    {
      status: 429,
      retriable: true,
      retryAfterMs: Math.max(1, Math.round(retryAfterMs)),
    },
  );
}

export function evictedByDropLru(poolId: string, retryAfterMs: number): AdmissionError {
  return new AdmissionError(
    'RATE_LIMITED',
    'QUEUE_FULL_DROP_LRU',
    `evicted from the full queue of pool '${poolId}' by a newer task (drop-lru)`,
    `${poolId}:drop-lru`,
    { status: 429, retriable: true, retryAfterMs: Math.max(1, Math.round(retryAfterMs)) },
  );
}

export function poolUnready(what: string): AdmissionError {
  return new AdmissionError('OVERLOADED', 'POOL_UNREADY', `${what} has no ready replica`, 'health', {
    status: 503,
    retriable: true,
    retryAfterMs: 1000,
  });
}

export function noPoolForModel(model: string | undefined): AdmissionError {
  return new AdmissionError(
    'NOT_FOUND',
    'NO_POOL_FOR_MODEL',
    model ? `no pool serves model '${model}'` : 'no pool serves tasks without a model',
    'routing',
    { status: 404, retriable: false, field: 'model' },
  );
}

export function shuttingDown(): AdmissionError {
  return new AdmissionError('OVERLOADED', 'SHUTTING_DOWN', 'the daemon is shutting down', 'shutdown', {
    status: 503,
    retriable: true,
    retryAfterMs: 1000,
  });
}

export function deadlineUnmet(predictedMs: number, totalMs: number): AdmissionError {
  return new AdmissionError(
    'INVALID_REQUEST',
    'DEADLINE_UNMET',
    `the predicted start (${Math.round(predictedMs)} ms) is past the task's total deadline (${totalMs} ms)`,
    'deadline',
    { status: 400, retriable: false, field: 'timeouts.total_ms' },
  );
}

/** OrchError's brand-based instanceof matches every OrchError, so the label is checked by shape. */
export function policyLabelOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('policyLabel' in err)) return undefined;
  const label = (err as { policyLabel: unknown }).policyLabel;
  return typeof label === 'string' ? label : undefined;
}
