import type { OrchError, RedactedRequest } from '@orch/adapter-api';

export interface RequestHookInfo {
  request: RedactedRequest;
  attempt: number;
}

export interface ResponseHookInfo {
  request: RedactedRequest;
  status: number;
  /** Response headers, credentials masked. */
  headers: Record<string, string>;
  requestId?: string;
  attempt: number;
  elapsedMs: number;
}

export interface RetryHookInfo {
  request: RedactedRequest;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: OrchError;
}

export interface ChunkHookInfo {
  request: RedactedRequest;
  bytes: number;
  /** The raw decoded chunk text. */
  chunk: string;
}

export interface StreamCompleteHookInfo {
  request: RedactedRequest;
  status: number;
  events: number;
  bytes: number;
  elapsedMs: number;
  error?: OrchError;
}

/** Observability callbacks. They see redacted requests only; if one throws it is ignored. */
export interface HttpHooks {
  onRequest?(info: RequestHookInfo): void;
  onResponse?(info: ResponseHookInfo): void;
  onRetry?(info: RetryHookInfo): void;
  onChunk?(info: ChunkHookInfo): void;
  onStreamComplete?(info: StreamCompleteHookInfo): void;
}

/** Calls a hook; a throwing hook must never break a job, so its error is swallowed. */
export function callHook<T>(hook: ((info: T) => void) | undefined, info: T): void {
  if (hook === undefined) return;
  try {
    hook(info);
  } catch {
    // Deliberately ignored: observability must not change the outcome of a request.
  }
}
