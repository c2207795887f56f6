import { OrchError } from '@orch/adapter-api';
import type { RouteAuth, RouteHandler, RouteRegistry } from './route-types.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  method: Method;
  pattern: string;
  handler: RouteHandler;
  auth: RouteAuth;
  segments: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: Method[] }
  | { kind: 'not-found' };

function decodeSegment(s: string, name: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new OrchError('INVALID_REQUEST', `path parameter ${name} is not valid percent-encoding`, {
      field: name,
      status: 400,
      retriable: false,
    });
  }
}

/**
 * Method + pattern routing (`/v2/tasks/:id/events`). Static paths are one map lookup; patterns
 * are matched segment by segment on the raw path, so `%2F` inside an id stays inside it.
 */
export class Router implements RouteRegistry {
  private readonly statics = new Map<string, Map<Method, Route>>();
  private readonly dynamic: Route[] = [];

  add(method: Method, pattern: string, handler: RouteHandler, opts: { auth?: RouteAuth } = {}): void {
    const segments = pattern.split('/').slice(1);
    const route: Route = { method, pattern, handler, auth: opts.auth ?? 'user', segments };
    if (segments.some((s) => s.startsWith(':'))) {
      if (this.dynamic.some((r) => r.method === method && r.pattern === pattern)) {
        throw new Error(`route ${method} ${pattern} is registered twice`);
      }
      this.dynamic.push(route);
      return;
    }
    let byMethod = this.statics.get(pattern);
    if (!byMethod) {
      byMethod = new Map();
      this.statics.set(pattern, byMethod);
    }
    if (byMethod.has(method)) throw new Error(`route ${method} ${pattern} is registered twice`);
    byMethod.set(method, route);
  }

  match(method: string, path: string): RouteMatch {
    const allow = new Set<Method>();
    const byMethod = this.statics.get(path);
    if (byMethod) {
      const route = byMethod.get(method as Method);
      if (route) return { kind: 'found', route, params: {} };
      for (const m of byMethod.keys()) allow.add(m);
    }
    const parts = path.split('/').slice(1);
    for (const route of this.dynamic) {
      const params = this.matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', route, params: params() };
      allow.add(route.method);
    }
    return allow.size ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
  }

  routes(): Route[] {
    return [...[...this.statics.values()].flatMap((m) => [...m.values()]), ...this.dynamic];
  }

  /** Returns a lazy param decoder when the segments match (decoding only for the chosen route). */
  private matchSegments(pattern: string[], parts: string[]): (() => Record<string, string>) | undefined {
    if (pattern.length !== parts.length) return undefined;
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i]!;
      if (p.startsWith(':')) {
        if (parts[i] === '') return undefined;
      } else if (p !== parts[i]) return undefined;
    }
    return () => {
      const params: Record<string, string> = {};
      pattern.forEach((p, i) => {
        if (p.startsWith(':')) params[p.slice(1)] = decodeSegment(parts[i]!, p.slice(1));
      });
      return params;
    };
  }
}
