import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ReadBody, readBody } from './body-reader.js';
import type { RouteContext, ServerConfig } from './context.js';
import { FaultState } from './fault-state.js';
import { sendEmpty, sendPlain } from './http-replies.js';
import { RequestLog } from './request-log.js';
import { StreamCache } from './stream-cache.js';
import type { FakeTgi, FaultConfig } from './types.js';

export interface Route {
  method: 'GET' | 'POST';
  /** Needs `Authorization: Bearer <apiKey>` when the server has a key. */
  auth: boolean;
  /** A generation-style JSON route: counted, in-flight tracked, body checked by the flavor. */
  json: boolean;
  run(ctx: RouteContext): Promise<void> | void;
}

export interface ServerStats {
  generationRequests: number;
}

/** What differs between the fake servers. */
export interface ServerFlavor {
  resolve(path: string): Route[] | undefined;
  notFound(res: ServerResponse): void;
  unauthorized(res: ServerResponse): void;
  /** Rejects a bad body before the handler runs (answering it); true when it did. */
  rejectBody(req: IncomingMessage, res: ServerResponse, body: ReadBody, faults: FaultState): boolean;
}

export function get(run: Route['run']): Route {
  return { method: 'GET', auth: false, json: false, run };
}

export function post(run: Route['run']): Route {
  return { method: 'POST', auth: true, json: true, run };
}

function authorized(cfg: ServerConfig, req: IncomingMessage): boolean {
  if (cfg.apiKey === undefined) return true;
  // TGI lower-cases both sides before comparing.
  const got = (req.headers.authorization ?? '').toLowerCase();
  return got === `bearer ${cfg.apiKey}`.toLowerCase();
}

/**
 * The HTTP core shared by the fake servers: recording, auth, body rejections, in-flight counting, faults
 * and the listener. A flavor supplies the routes and the server-specific error answers.
 */
export async function startFakeServer(
  cfg: ServerConfig,
  initialFaults: Partial<FaultConfig> | undefined,
  makeFlavor: (stats: ServerStats) => ServerFlavor,
): Promise<FakeTgi> {
  const faults = new FaultState(initialFaults);
  const log = new RequestLog();
  const sockets = new Set<Socket>();
  const stats: ServerStats = { generationRequests: 0 };
  let inFlight = 0;
  const streamCache = new StreamCache();
  const flavor = makeFlavor(stats);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // hyper sends neither Date in title case nor a Connection header on keep-alive HTTP/1.1 answers.
    res.sendDate = false;
    res.removeHeader('connection');
    const { rec, live } = log.begin(req, res);
    const body = await readBody(req, cfg.payloadLimit);
    rec.rawBody = body.raw;
    if (body.raw.length > 0) {
      try {
        rec.body = JSON.parse(body.raw) as unknown;
      } catch {
        rec.body = body.raw;
      }
    }
    log.publish(rec);
    if (live.gone()) return;
    const path = (req.url ?? '/').split('?')[0]!;
    const candidates = flavor.resolve(path);
    if (!candidates) return flavor.notFound(res);
    const route = candidates.find((r) => r.method === req.method);
    if (!route) return sendEmpty(res, 405);
    if (route.auth && (faults.take('unauthorized') !== undefined || !authorized(cfg, req))) {
      return flavor.unauthorized(res);
    }
    if (route.json) {
      stats.generationRequests++;
      if (flavor.rejectBody(req, res, body, faults)) return;
    }
    const ctx: RouteContext = {
      cfg,
      faults,
      req,
      res,
      rec,
      live,
      body: rec.body,
      rawBody: body.raw,
      streamCache,
      inFlight: 0,
    };
    if (!route.json) return route.run(ctx);
    inFlight++;
    ctx.inFlight = inFlight;
    try {
      await route.run(ctx);
    } finally {
      inFlight--;
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendPlain(res, 500, `fake server internal error: ${String(err)}`);
      else res.destroy();
    });
  });
  server.requestTimeout = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  async function syncListener(): Promise<void> {
    const refuse = faults.peek('refuseConnections') === true;
    if (refuse && server.listening) {
      server.close();
    } else if (!refuse && !server.listening) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
  }

  const fake: FakeTgi = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: log.requests,
    get faults() {
      return faults.snapshot;
    },
    setFaults(f: Partial<FaultConfig>): Promise<void> {
      faults.set(f);
      return syncListener();
    },
    reset(): Promise<void> {
      log.clear();
      faults.clear();
      faults.set(initialFaults ?? {});
      return syncListener();
    },
    waitForRequest: (n?: number) => log.waitFor(n),
    close(): Promise<void> {
      for (const s of sockets) s.destroy();
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  await syncListener();
  return fake;
}
