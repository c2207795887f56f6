import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flatUuid, OrchError, toOrchError } from '@orch/adapter-api';
import type { Logger } from 'pino';
import { shuttingDown } from '../core/admission-error.js';
import type { RequestTimings } from '../core/request-timings.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { Authenticator } from './auth.js';
import { DaemonResponse, onResponseClose, type ResponseOwner, ResponseState } from './daemon-response.js';
import { DaemonRequestContext } from './request-context.js';
import { sendError, statusFor } from './respond.js';
import type { RequestContext } from './route-types.js';
import type { Router } from './router.js';
import { endSse } from './sse-sink.js';

export interface ServerOptions {
  router: Router;
  auth: Authenticator;
  log: Logger;
  bodyLimit: number;
  timings?: RequestTimings;
  metrics?: DaemonMetrics;
}

const CORRELATION = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

function correlationIdOf(req: IncomingMessage): string {
  const h = req.headers['x-correlation-id'];
  const v = Array.isArray(h) ? h[0] : h;
  return v && CORRELATION.test(v) ? v : flatUuid();
}

/**
 * node:http front end: routing, auth, body limits, correlation ids on every response, the
 * overhead header and histogram, access logs, and a graceful stop that answers 503 to new
 * requests while running ones finish.
 */
export class DaemonServer implements ResponseOwner {
  readonly server: Server<typeof IncomingMessage, typeof DaemonResponse>;
  private closing = false;
  private readonly active = new Set<DaemonResponse>();
  private idle: (() => void) | undefined;

  constructor(private readonly opts: ServerOptions) {
    this.server = createServer({ keepAliveTimeout: 65_000, ServerResponse: DaemonResponse }, (req, res) =>
      this.handle(req, res),
    );
  }

  listen(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as AddressInfo;
        const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
        resolve(`http://${h}:${addr.port}`);
      });
    });
  }

  /** Requests that would add work get 503 from now on; idle keep-alive sockets close. */
  stopAdmitting(): void {
    this.closing = true;
    this.server.closeIdleConnections();
  }

  /**
   * Stops listening; responses still being written (the last SSE frames of drained jobs) get up
   * to `flushMs` to finish, then every connection is closed.
   */
  async close(flushMs = 2_000): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.active.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          this.idle = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, flushMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: DaemonResponse): void {
    const t0 = performance.now();
    const { router, auth, timings } = this.opts;
    const correlationId = correlationIdOf(req);
    res.setHeader('x-correlation-id', correlationId);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    timings?.begin(correlationId);
    res.orch = new ResponseState(this, t0, correlationId, req.method ?? 'GET');
    this.active.add(res);
    res.on('close', onResponseClose);
    const ctx = new DaemonRequestContext(req, res.orch, q < 0 ? '' : rawUrl.slice(q + 1), this);
    try {
      const match = router.match(res.orch.method, path);
      if (match.kind === 'not-found') {
        throw new OrchError('NOT_FOUND', `no route for ${res.orch.method} ${path}`, {
          status: 404,
          retriable: false,
        });
      }
      if (match.kind === 'method-not-allowed') {
        res.setHeader('allow', match.allow.join(', '));
        throw new OrchError('INVALID_REQUEST', `${res.orch.method} is not allowed on ${path}`, {
          status: 405,
          retriable: false,
        });
      }
      const { route } = match;
      res.orch.route = route.pattern;
      ctx.params = match.params;
      // While stopping only new work is refused: reads, health and cancels still answer.
      if (this.closing && res.orch.method !== 'GET' && !route.pattern.endsWith('/cancel'))
        throw shuttingDown();
      auth.check(req, route.auth);
      route.handler(req, res, ctx).catch((err: unknown) => this.fail(res, ctx, err));
    } catch (err) {
      this.fail(res, ctx, err);
    }
  }

  /** Called once per response, when its headers leave: the overhead header and histogram. */
  stampOverhead(res: DaemonResponse, state: ResponseState): void {
    const { timings, metrics } = this.opts;
    const external = timings?.externalMs(state.correlationId) ?? 0;
    const ms = Math.max(0, performance.now() - state.t0 - external);
    res.setHeader('x-orch-overhead-ms', ms.toFixed(3));
    metrics?.overhead.observe({ route: state.route }, ms);
  }

  /** The response closed (finished or cut): bookkeeping, client-gone abort, metrics, access log. */
  closed(res: DaemonResponse, state: ResponseState): void {
    const { timings, metrics, log } = this.opts;
    this.active.delete(res);
    if (this.active.size === 0 && this.idle) this.idle();
    const cut = !res.writableFinished;
    if (cut) state.clientGone();
    const status = res.statusCode;
    metrics?.httpRequests.inc({ route: state.route, method: state.method, status: String(status) });
    timings?.end(state.correlationId);
    // The access line is built only when it will be written (debug is off in production).
    const failed = status >= 500;
    if (!failed && !log.isLevelEnabled('debug')) return;
    const ms = Math.round((performance.now() - state.t0) * 1000) / 1000;
    const line = {
      correlation_id: state.correlationId,
      method: state.method,
      route: state.route,
      status,
      ms,
      aborted: cut,
    };
    if (failed) log.warn(line, 'request failed');
    else log.debug(line, 'request');
  }

  get logger(): Logger {
    return this.opts.log;
  }

  get bodyLimit(): number {
    return this.opts.bodyLimit;
  }

  private fail(res: ServerResponse, ctx: RequestContext, value: unknown): void {
    const err = toOrchError(value);
    if (err.code === 'UNAUTHORIZED' && !res.headersSent) res.setHeader('www-authenticate', 'Bearer');
    const status = statusFor(err);
    if (status >= 500 && err.code !== 'OVERLOADED')
      ctx.log.error({ code: err.code, err: err.message }, 'request error');
    if (res.headersSent) {
      // Mid-stream: the route owns the framing; all we can do is close (after the frames it queued).
      endSse(res);
      return;
    }
    // An unread request body would otherwise block the socket for the next request.
    if (!res.req.complete) res.req.resume();
    sendError(res, err);
  }
}
