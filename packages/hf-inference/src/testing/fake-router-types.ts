/** One request the fake router saw, as it arrived (header names lower-cased). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  rawBody: string;
  /** True once the client closed the connection before the response was complete. */
  aborted: boolean;
}

/**
 * What the next generation request (chat or serverless POST) does instead of answering normally.
 * Each queued fault is used by exactly one request, oldest first.
 */
export type RouterFault =
  /** Answer with this status and body (a string is sent as-is, an object as JSON). */
  | {
      kind: 'status';
      status: number;
      body?: string | Record<string, unknown>;
      headers?: Record<string, string>;
    }
  /** Serverless-style 503 `{"error":"Model X is currently loading","estimated_time":N}`. */
  | { kind: 'loading'; estimatedTime: number }
  /** Stream `afterTokens` tokens, then an SSE event carrying `error` (string or `{message}` object). */
  | { kind: 'midstream-error'; afterTokens: number; error: unknown; event?: string }
  /** Stream `afterTokens` tokens, then destroy the socket (`clean: true`: end the body without [DONE]). */
  | { kind: 'cut'; afterTokens: number; clean?: boolean }
  /** Stream `afterTokens` tokens (0: headers only), then send nothing until the client leaves. */
  | { kind: 'hang'; afterTokens: number }
  /** Stream `afterTokens` tokens, then a data line that is not JSON. */
  | { kind: 'malformed'; afterTokens: number };

export interface FakeRouterOptions {
  /** When set, every route but none requires `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /** Models the router knows (GET /v1/models lists them; others are 404). Default: accept any model. */
  models?: string[];
  /** Tokens of a normal answer, cycled (default: a short English sentence). */
  vocabulary?: string[];
  /** Length of a natural answer in tokens, cut to max_tokens when that is smaller (default 8). */
  answerTokens?: number;
  /** Status GET /v1/models answers with (default 200). */
  modelsStatus?: number;
}

export interface FakeRouter {
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Queues a fault for the next generation request. */
  fault(f: RouterFault): void;
  /** Changes options for the requests that arrive from now on. */
  configure(opts: Partial<FakeRouterOptions>): void;
  /** How many responses were abandoned by their client before completion. */
  readonly aborts: number;
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  readonly connections: number;
  /** Resolves at the next client abort. */
  nextAbort(): Promise<void>;
  close(): Promise<void>;
}
