// How HTTP route modules plug into the daemon's server. The server owns parsing limits, auth,
// correlation ids, overhead timing and error rendering; a module only maps requests to the core.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CancelSignal } from '@orch/adapter-api';
import type { Logger } from 'pino';
import type { Orchestrator, PoolView } from '../core/orchestrator-types.js';

/**
 * `public`: no token. `user`: a bearer token when any is configured. `admin`: the admin token when
 * one is configured. `health` / `metrics`: public unless the config makes them need a user token.
 */
export type RouteAuth = 'public' | 'user' | 'admin' | 'health' | 'metrics';

export interface RequestContext {
  correlationId: string;
  /** Path parameters, e.g. { id } for /v2/tasks/:id (already URL-decoded). */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Aborts when the client goes away. */
  signal: CancelSignal;
  log: Logger;
  /** Reads and JSON-parses the body within the size limit (400 on bad JSON, 413 over the limit). */
  json(): Promise<unknown>;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<void>;

export interface RouteRegistry {
  add(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    pattern: string,
    handler: RouteHandler,
    opts?: { auth?: RouteAuth },
  ): void;
}

/** Daemon internals the native and metrics modules need; other modules may ignore it. */
export interface DaemonControl {
  drainPool(id: string): PoolView | undefined;
  /** The inverse of drainPool; undefined for an unknown pool. */
  undrainPool(id: string): PoolView | undefined;
  /** Some pool can take a job now or soon. */
  ready(): boolean;
  metrics(): Promise<{ contentType: string; body: string }>;
  adapterNames(): string[];
}

export interface RouteModuleDeps {
  orchestrator: Orchestrator;
  log: Logger;
  control?: DaemonControl;
}

/** Each API family exports one of these (routes/native.ts, routes/openai.ts, routes/tgi.ts, ...). */
export type RouteModule = (routes: RouteRegistry, deps: RouteModuleDeps) => void;
