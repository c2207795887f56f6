import type { RedactedRequest } from '@orch/adapter-api';
import { mergeHeaders } from './headers.js';
import { serializeJsonBody } from './json-body.js';
import { type ApiKeySource, loadApiKey } from './load-api-key.js';
import { redactHeaders, redactUrl } from './redact.js';

export type Method = 'GET' | 'POST';

export interface Prepared {
  method: Method;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  redacted: RedactedRequest;
  secrets: string[];
}

export interface RequestPrepInit {
  origin: string;
  basePath: string;
  apiKey: ApiKeySource | undefined;
  headers: Record<string, string> | undefined;
  extraBody: Record<string, unknown> | undefined;
}

/** Everything about a request that depends only on the client, the route and the accept type. */
interface Shape {
  path: string;
  headers: Record<string, string>;
  url: string;
  redactedHeaders: Record<string, string>;
  secrets: string[];
}

/** Routes are few (a handful per adapter); the bound only guards against callers building paths from data. */
const MAX_SHAPES = 64;

/**
 * Builds each request's headers, URL and redacted copies. With a fixed key (a string or none) and no
 * per-call headers these are the same for every request to a route, so they are computed once: the
 * merge, the URL parse and the key's hash for redaction are not paid per job. A key function is asked
 * on every call, as documented.
 */
export class RequestPrep {
  private readonly init: RequestPrepInit;
  private readonly fixedKey: boolean;
  private readonly shapes = new Map<string, Shape>();

  constructor(init: RequestPrepInit) {
    this.init = init;
    const key = init.apiKey;
    this.fixedKey = key === undefined || typeof key === 'string';
  }

  /** Synchronous when nothing needs awaiting (fixed key, no per-call headers); undefined otherwise. */
  tryPrepare(
    method: Method,
    path: string,
    body: unknown,
    accept: string,
    callHeaders: Record<string, string> | undefined,
  ): Prepared | undefined {
    if (!this.fixedKey || callHeaders !== undefined) return undefined;
    const hasBody = body !== undefined && method !== 'GET';
    const id = `${method} ${hasBody ? 'b' : '-'} ${accept} ${path}`;
    let shape = this.shapes.get(id);
    if (shape === undefined) {
      // A fixed key resolves synchronously; loadApiKey is async only for key functions.
      shape = this.shape(path, hasBody, accept, undefined, trimKey(this.init.apiKey as string));
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      this.shapes.set(id, shape);
    }
    return this.finish(method, shape, hasBody, body);
  }

  async prepare(
    method: Method,
    path: string,
    body: unknown,
    accept: string,
    callHeaders: Record<string, string> | undefined,
  ): Promise<Prepared> {
    const key = await loadApiKey(this.init.apiKey);
    const hasBody = body !== undefined && method !== 'GET';
    return this.finish(method, this.shape(path, hasBody, accept, callHeaders, key), hasBody, body);
  }

  private finish(method: Method, shape: Shape, hasBody: boolean, body: unknown): Prepared {
    return {
      method,
      path: shape.path,
      headers: shape.headers,
      body: hasBody ? serializeJsonBody(body, this.init.extraBody) : undefined,
      secrets: shape.secrets,
      // A fresh copy per request: hooks receive it and may keep or change it.
      redacted: { method, url: shape.url, headers: { ...shape.redactedHeaders } },
    };
  }

  private shape(
    path: string,
    hasBody: boolean,
    accept: string,
    callHeaders: Record<string, string> | undefined,
    key: string | undefined,
  ): Shape {
    const headers = mergeHeaders(
      { accept },
      hasBody ? { 'content-type': 'application/json' } : undefined,
      key === undefined ? undefined : { authorization: `Bearer ${key}` },
      this.init.headers,
      callHeaders,
    );
    const fullPath = `${this.init.basePath}${path.startsWith('/') ? path : `/${path}`}`;
    const secrets = key === undefined ? [] : [key];
    return {
      path: fullPath,
      headers,
      url: redactUrl(`${this.init.origin}${fullPath}`, secrets),
      redactedHeaders: redactHeaders(headers, secrets),
      secrets,
    };
  }
}

/** loadApiKey's rule for a string key, without its promise: empty (after trimming) means no key. */
function trimKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const trimmed = key.trim();
  return trimmed === '' ? undefined : trimmed;
}
