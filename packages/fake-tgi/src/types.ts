import type { IncomingHttpHeaders } from 'node:http';

/** Limits how many generation requests a fault applies to; absent = every request while it is set. */
export interface FaultCount {
  count?: number;
}

export type InStreamErrorType = 'generation' | 'validation' | 'incomplete_generation_stream';

/**
 * Fault modes. "after N tokens" faults fire once N generated tokens have been sent (N may be 0: right
 * after the headers). Numbers are shorthand for `{ after: N }`, `true` for `{}`.
 */
export interface FaultConfig {
  /** Read the request, then never answer until the client leaves. */
  stallBeforeHeaders: boolean | FaultCount;
  /** Send N tokens, then hang (no more bytes) until the client leaves. */
  stallAfterTokens: number | ({ after: number } & FaultCount);
  /** Send N tokens, then close the socket in the middle of the chunked body. */
  cutAfterTokens: number | ({ after: number } & FaultCount);
  /**
   * HTTP 429 `{"error":"Model is overloaded","error_type":"overloaded"}`, optionally with `retry-after`
   * and/or `retry-after-ms` headers (as a proxy in front of TGI would send; TGI itself sends neither).
   * `inStream: true` answers stream routes the way TGI itself does: 200 and an in-stream error event.
   */
  overloaded429: boolean | ({ retryAfter?: string; retryAfterMs?: string; inStream?: boolean } & FaultCount);
  /** A burst of 5xx/424 answers (424 carries the `generation` error_type, 503 the `healthcheck` one). */
  status5xx: { status: 500 | 502 | 503 | 424; message?: string } & FaultCount;
  /** After N tokens send `data: {not json` and end the body. */
  malformedAfterTokens: number | ({ after: number } & FaultCount);
  /** After N tokens send one data line of `bytes` bytes with no newline, then end the body. */
  hugeLineAfterTokens: { after: number; bytes: number } & FaultCount;
  /** Delay between token events (0 = none: events are batched and written as fast as the socket takes). */
  slowDripMs: number;
  /** After N tokens send TGI's in-stream error event of this type and end the stream. */
  inStreamErrorAfterTokens: { after: number; errorType: InStreamErrorType; message?: string } & FaultCount;
  /** /health, /ping and GET / answer 503. */
  unhealthy: boolean;
  /** Delay before /health answers. */
  healthDelayMs: number;
  /** Delay between the stream headers (or the request, non-stream) and the first token. */
  firstTokenDelayMs: number;
  /** Close the listener: new connections are refused until the fault is cleared. */
  refuseConnections: boolean;
  /** axum's plain-text body rejection with this status, whatever the body. */
  plainTextError: { status: 400 | 413 | 415 | 422 } & FaultCount;
  /** Answer 401 with an empty body on protected routes, even with a valid key. */
  unauthorized: boolean | FaultCount;
  /**
   * Fake HF router only, serverless routes: 503 `{"error":"Model X is currently loading","estimated_time":T}`;
   * a request with `options.wait_for_model` or `x-wait-for-model: true` waits `waitMs` instead, then runs.
   */
  modelLoading: { estimatedTime?: number; waitMs?: number } & FaultCount;
}

/** Scripted answer: these token texts, or `count` tokens ` tok0`, ` tok1`, … */
export type TokenScript = { tokens?: string[] } | { count: number };

export interface FakeTgiOptions {
  /** Served model id (default `fake-org/fake-model`). */
  modelId?: string;
  /** Reported TGI version (default `3.3.6-dev0`, or `2.0.4` with legacyInfo). */
  version?: string;
  /** `docker_label` in /info and the system_fingerprint suffix (default null → `native`). */
  dockerLabel?: string;
  /** Require `Authorization: Bearer <apiKey>` on the protected routes. */
  apiKey?: string;
  /** Pre-2.1 /info field names (`max_input_length`, `model_dtype`, ...). */
  legacyInfo?: boolean;
  /** TGI <= 2.0 framing: `data:{...}` with no space. */
  noSpaceAfterData?: boolean;
  /** The scripted tokens (default `{ count: 16 }`: ` tok0` … ` tok15`). */
  tokens?: TokenScript;
  /** Alias of `tokens`. */
  script?: TokenScript;
  maxInputTokens?: number;
  maxTotalTokens?: number;
  /** Body size limit in bytes (default 2,000,000, like `--payload-limit`). */
  payloadLimit?: number;
  faults?: Partial<FaultConfig>;
  /** EOS token text (default `</s>`). */
  eosText?: string;
  /** `pipeline_tag` reported in /info; also decides compat `/`'s return_full_text default. */
  pipelineTag?: string | null;
  /**
   * Emulates TGI's `max_concurrent_requests` refusal: beyond this many generation requests in flight the
   * next one gets `overloaded` (429 JSON, or an in-stream error event on stream routes). Default: no limit
   * (/info still reports 128 unless this is set).
   */
  maxConcurrentRequests?: number;
  /** Send the `:` keep-alive comment after this much silence in a stream (TGI: 15000; default off). */
  keepAliveMs?: number;
}

/** Options of the fake Hugging Face router (Inference Providers + serverless + TGI-like endpoints). */
export interface FakeHfRouterOptions {
  /** The model served (default `fake-org/fake-model`); requests may add `:provider` / `:fastest`. */
  modelId?: string;
  /** Models accepted by `/v1/chat/completions` (default: just modelId). Others get a 400. */
  models?: string[];
  /** Require `Authorization: Bearer <apiKey>` (401 `{"error":"Invalid credentials in Authorization header"}`). */
  apiKey?: string;
  /** Error bodies as `{"error":"msg"}` (`string`) or `{"error":{"message","type"}}` (`object`, default). */
  errorShape?: 'string' | 'object';
  tokens?: TokenScript;
  eosText?: string;
  faults?: Partial<FaultConfig>;
  keepAliveMs?: number;
  payloadLimit?: number;
}

export interface RecordedRequest {
  /** 1-based, increasing for the life of the server. */
  id: number;
  method: string;
  /** URL path including any query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it was not JSON (undefined when there was no body). */
  body: unknown;
  rawBody: string;
  startedAt: number;
  /** Set when the server finished or gave up on the response (end, cut, or client gone). */
  endedAt?: number;
  /** HTTP status once headers were sent (a live getter). */
  readonly status: number | undefined;
  /**
   * Tokens generated for this response so far. On streams they count once queued for the socket, which
   * is written in batches of up to ~16 KB (one event per write with slowDripMs).
   */
  tokensSent: number;
  /** The client closed the connection before the server finished the response. */
  clientAborted: boolean;
  abortedAt?: number;
  /** Resolves when the client aborts (never resolves for a request that completes normally). */
  onAborted: Promise<void>;
  /** Resolves when the response is over, whichever way it ended. */
  onEnded: Promise<void>;
}

export interface FakeTgi {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Merges faults (a key set to undefined clears it); resolves once the listener follows refuseConnections. */
  setFaults(f: Partial<FaultConfig>): Promise<void>;
  /** Current faults with their remaining counts. */
  readonly faults: Partial<FaultConfig>;
  /** Clears recorded requests and restores the faults given at start (fresh counts). */
  reset(): Promise<void>;
  /** Resolves with the n-th (1-based, default 1) request recorded since the last reset, once its body is read. */
  waitForRequest(n?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}
