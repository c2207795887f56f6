// A minimal node:http server that mounts RouteModules the way the daemon's server does (params,
// query, client-gone signal, bounded JSON body, OrchError rendering), for route tests without the core.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrchError } from '@orch/adapter-api';
import { pino } from 'pino';
import type { Orchestrator } from '../../../core/orchestrator-types.js';
import { sendError, sendJson } from '../../respond.js';
import type { RouteAuth, RouteHandler, RouteModule, RouteRegistry } from '../../route-types.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface MountedRoute {
  method: Method;
  pattern: string;
  auth: RouteAuth;
  handler: RouteHandler;
  segments: string[];
}

export interface Harness {
  url: string;
  server: Server;
  routes: MountedRoute[];
  /** Resolves when the handler of the nth request (0-based) has returned. */
  handled: Promise<void>[];
  close(): Promise<void>;
}

const BODY_LIMIT = 1_000_000;

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        cleanup();
        reject(new OrchError('INVALID_REQUEST', 'Request body too large', { status: 413 }));
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      cleanup();
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? undefined : JSON.parse(text));
      } catch {
        reject(
          new OrchError('INVALID_REQUEST', 'The body is not valid JSON', { status: 400, field: '(body)' }),
        );
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function match(route: MountedRoute, parts: string[]): Record<string, string> | undefined {
  if (route.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = route.segments[i]!;
    const part = parts[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(part);
    else if (seg !== part) return undefined;
  }
  return params;
}

export async function startHarness(orchestrator: Orchestrator, modules: RouteModule[]): Promise<Harness> {
  const routes: MountedRoute[] = [];
  const registry: RouteRegistry = {
    add(method, pattern, handler, opts) {
      routes.push({ method, pattern, handler, auth: opts?.auth ?? 'user', segments: pattern.split('/') });
    },
  };
  const log = pino({ level: 'silent' });
  for (const m of modules) m(registry, { orchestrator, log });
  const handled: Promise<void>[] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/');
    let found: { route: MountedRoute; params: Record<string, string> } | undefined;
    for (const route of routes) {
      if (route.method !== req.method) continue;
      const params = match(route, parts);
      if (params) {
        found = { route, params };
        break;
      }
    }
    if (!found) {
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `No route ${req.method} ${url.pathname}` } });
      return;
    }
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const ctx = {
      correlationId: String(req.headers['x-correlation-id'] ?? 'test'),
      params: found.params,
      query: url.searchParams,
      signal: controller.signal,
      log,
      json: () => readJson(req),
    };
    handled.push(
      found.route.handler(req, res, ctx).catch((err: unknown) => {
        sendError(res, err);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    routes,
    handled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
