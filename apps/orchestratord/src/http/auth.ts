import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OrchError } from '@orch/adapter-api';
import type { RouteAuth } from './route-types.js';

export interface AuthSettings {
  userTokens: string[];
  adminToken?: string;
  publicMetrics: boolean;
  publicHealth: boolean;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Bearer tokens, compared in constant time (equal-length digests, every token checked). */
export class Authenticator {
  private readonly users: Buffer[];
  private readonly admin: Buffer | undefined;

  constructor(private readonly settings: AuthSettings) {
    this.users = settings.userTokens.map(digest);
    this.admin = settings.adminToken ? digest(settings.adminToken) : undefined;
  }

  get hasUserTokens(): boolean {
    return this.users.length > 0;
  }

  /** The raw secrets, so the logger can mask them if they ever appear in a line. */
  secrets(): string[] {
    return [...this.settings.userTokens, ...(this.settings.adminToken ? [this.settings.adminToken] : [])];
  }

  /** Throws UNAUTHORIZED (401) when the request may not use a route with this auth level. */
  check(req: IncomingMessage, level: RouteAuth): void {
    if (level === 'public') return;
    if (level === 'health' && this.settings.publicHealth) return;
    if (level === 'metrics' && this.settings.publicMetrics) return;
    const presented = bearer(req);
    if (level === 'admin' && this.admin) {
      if (presented !== undefined && timingSafeEqual(digest(presented), this.admin)) return;
      throw unauthorized(
        presented === undefined
          ? 'this route needs the admin bearer token'
          : 'the token is not the admin token',
      );
    }
    // No user token configured: user routes are open (SEC-3 keeps that to loopback).
    if (!this.users.length) return;
    if (presented !== undefined) {
      const d = digest(presented);
      let ok = false;
      for (const t of this.users) ok = timingSafeEqual(d, t) || ok;
      if (this.admin) ok = timingSafeEqual(d, this.admin) || ok;
      if (ok) return;
    }
    throw unauthorized(
      presented === undefined
        ? 'missing bearer token (Authorization: Bearer <token>)'
        : 'invalid bearer token',
    );
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m ? m[1]!.trim() : undefined;
}

function unauthorized(message: string): OrchError {
  return new OrchError('UNAUTHORIZED', message, { status: 401, retriable: false });
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}
