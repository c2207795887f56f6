import type { Readable } from 'node:stream';
import { type CancelSignal, OrchError } from '@orch/adapter-api';
import { type Dispatcher, Pool } from 'undici';
import { abortableSleep } from './abortable-sleep.js';
import { attemptDeadline } from './attempt-deadline.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { errorFromResponse } from './error-response.js';
import { findRequestId, flattenHeaders } from './headers.js';
import { callHook } from './hooks.js';
import type {
  HttpClientOptions,
  JsonResponse,
  OpenSseInit,
  ProbeResult,
  RequestJsonInit,
} from './http-client-options.js';
import { parseJson } from './parse-json.js';
import { discardBody, readBodyText } from './read-body.js';
import { redactHeaders, redactUrl } from './redact.js';
import { type Prepared, RequestPrep } from './request-prep.js';
import { RetryBudget } from './retry-budget.js';
import { type RetryPolicyOptions, retryDelay } from './retry-policy.js';
import { SseReader, type SseStream } from './sse-stream.js';
import { mapTransportError } from './transport-error.js';

interface SendOptions {
  signal: CancelSignal | undefined;
  headersTimeout: number;
  bodyTimeout: number;
}

const ERROR_BODY_LIMIT = 64 * 1024;

const NUMERIC_OPTIONS = [
  'connections',
  'keepAliveTimeoutMs',
  'connectTimeoutMs',
  'headersTimeoutMs',
  'bodyTimeoutMs',
  'maxLineBytes',
  'maxResponseBytes',
] as const;

function checkPositive(value: number | undefined, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OrchError('INVALID_REQUEST', `${field}: must be a positive number`, {
      field,
      retriable: false,
    });
  }
}

export class HttpClient {
  readonly breaker?: CircuitBreaker;
  private readonly opts: HttpClientOptions;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly retry: RetryPolicyOptions | false;
  private readonly budget: RetryBudget | undefined;
  private readonly headersTimeout: number;
  private readonly bodyTimeout: number;
  private readonly maxLineBytes: number;
  private readonly maxResponseBytes: number;
  private readonly prep: RequestPrep;

  constructor(opts: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new OrchError(
        'INVALID_REQUEST',
        `baseUrl: not an absolute URL: ${redactUrl(String(opts.baseUrl))}`,
        {
          field: 'baseUrl',
          retriable: false,
        },
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OrchError('INVALID_REQUEST', 'baseUrl: only http and https are supported', {
        field: 'baseUrl',
        retriable: false,
      });
    }
    for (const field of NUMERIC_OPTIONS) checkPositive(opts[field], field);
    this.opts = opts;
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.prep = new RequestPrep({
      origin: this.origin,
      basePath: this.basePath,
      apiKey: opts.apiKey,
      headers: opts.headers,
      extraBody: opts.extraBody,
    });
    this.headersTimeout = opts.headersTimeoutMs ?? 60_000;
    this.bodyTimeout = opts.bodyTimeoutMs ?? 300_000;
    this.maxLineBytes = opts.maxLineBytes ?? 1024 * 1024;
    this.maxResponseBytes = opts.maxResponseBytes ?? 32 * 1024 * 1024;
    this.retry = opts.retry ?? {};
    this.budget = this.retry === false ? undefined : (this.retry.budget ?? new RetryBudget());
    if (opts.breaker !== false) this.breaker = new CircuitBreaker(opts.breaker ?? {});
    if (opts.dispatcher) {
      this.dispatcher = opts.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new Pool(this.origin, {
        connections: opts.connections ?? 64,
        pipelining: 1,
        keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
        connect: { timeout: opts.connectTimeoutMs ?? 10_000 },
        headersTimeout: this.headersTimeout,
        bodyTimeout: this.bodyTimeout,
      });
      this.ownsDispatcher = true;
    }
  }

  /** JSON request with retries (policy + budget + breaker) and error mapping; `schema` failures are PROTOCOL. */
  async requestJson<T = unknown>(path: string, init: RequestJsonInit<T> = {}): Promise<JsonResponse<T>> {
    const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
    const prepared = await this.prepare(method, path, init.body, 'application/json', init.headers);
    return this.withRetry(prepared, init.signal, init.retry !== false, async (attempt) => {
      const timer =
        init.timeoutMs === undefined
          ? undefined
          : attemptDeadline(init.timeoutMs, init.signal, prepared.redacted);
      try {
        const send = {
          signal: timer?.signal ?? init.signal,
          headersTimeout: this.headersTimeout,
          bodyTimeout: this.bodyTimeout,
        };
        const res = await this.send(prepared, attempt, send);
        let text: string;
        try {
          const read = await readBodyText(res.body as Readable, this.maxResponseBytes);
          if (read.truncated) {
            throw new OrchError('PROTOCOL', `Response body larger than ${this.maxResponseBytes} bytes`, {
              retriable: false,
              request: prepared.redacted,
            });
          }
          text = read.text;
        } catch (err) {
          throw mapTransportError(err, { request: prepared.redacted, signal: send.signal, phase: 'body' });
        }
        return { ...res.meta, body: parseJson(text, init.schema, prepared.redacted) };
      } finally {
        timer?.dispose();
      }
    });
  }

  /** Raw request for health probes: no retry, no breaker accounting, short timeout (default 5000 ms). */
  async probe(path: string, init: { signal?: CancelSignal; timeoutMs?: number } = {}): Promise<ProbeResult> {
    const prepared = await this.prepare('GET', path, undefined, '*/*', undefined);
    const timeoutMs = init.timeoutMs ?? 5000;
    const timer = attemptDeadline(timeoutMs, init.signal, prepared.redacted);
    const started = performance.now();
    try {
      const res = await this.sendRaw(prepared, 1, {
        signal: timer.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      try {
        const read = await readBodyText(res.data.body as Readable, ERROR_BODY_LIMIT);
        return {
          status: res.data.statusCode,
          headers: res.meta.headers,
          bodyText: read.text,
          latencyMs: performance.now() - started,
        };
      } catch (err) {
        throw mapTransportError(err, { request: prepared.redacted, signal: timer.signal, phase: 'body' });
      }
    } finally {
      timer.dispose();
    }
  }

  /**
   * POSTs JSON and opens an SSE stream. Retries only until a 2xx response's headers arrived; a
   * non-2xx becomes an OrchError. The returned stream has not yielded anything yet.
   */
  async openSse(path: string, init: OpenSseInit): Promise<SseStream> {
    const pending = this.prepare('POST', path, init.body, 'text/event-stream', init.headers);
    // Usually ready synchronously (fixed key): skip the extra turn of the event loop an await costs.
    const prepared = pending instanceof Promise ? await pending : pending;
    const send: SendOptions = {
      signal: init.signal,
      headersTimeout: init.headersTimeoutMs ?? this.headersTimeout,
      bodyTimeout: init.bodyTimeoutMs ?? this.bodyTimeout,
    };
    return this.withRetry(prepared, init.signal, true, async (attempt) => {
      // Only hooks report elapsed times.
      const started = this.opts.hooks ? performance.now() : 0;
      const res = await this.send(prepared, attempt, send);
      const contentType = res.meta.headers['content-type'];
      if (contentType !== undefined && !/^\s*text\/event-stream/i.test(contentType)) {
        throw await this.unexpectedContentType(res, prepared, contentType, send.signal);
      }
      return new SseReader({
        body: res.body as Readable,
        status: res.meta.status,
        headers: res.meta.headers,
        requestId: res.meta.requestId,
        request: prepared.redacted,
        maxLineBytes: this.maxLineBytes,
        signal: init.signal,
        hooks: this.opts.hooks,
        startedAt: started,
        onSettled: this.breaker ? this.onStreamSettled : undefined,
      });
    });
  }

  /** One function for every stream (not a closure per job). */
  private readonly onStreamSettled = (err: OrchError | undefined): void => {
    // Only a broken upstream counts against the breaker; consumers closing early do not.
    if (err && this.breaker && isBreakerFailure(err)) this.breaker.onFailure();
  };

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.destroy();
  }

  private prepare(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    accept: string,
    callHeaders: Record<string, string> | undefined,
  ): Prepared | Promise<Prepared> {
    return (
      this.prep.tryPrepare(method, path, body, accept, callHeaders) ??
      this.prep.prepare(method, path, body, accept, callHeaders)
    );
  }

  /** One attempt's request; resolves once response headers arrived, whatever the status. */
  private async sendRaw(prepared: Prepared, attempt: number, send: SendOptions) {
    const hooks = this.opts.hooks;
    if (hooks?.onRequest) callHook(hooks.onRequest, { request: prepared.redacted, attempt });
    const started = hooks?.onResponse ? performance.now() : 0;
    let data: Dispatcher.ResponseData;
    try {
      data = await this.dispatcher.request({
        origin: this.origin,
        path: prepared.path,
        method: prepared.method,
        headers: prepared.headers,
        body: prepared.body ?? null,
        // undici takes any object with addEventListener/removeEventListener, aborted and reason
        // (lib/api/abort-signal.js); its type names only AbortSignal and EventEmitter.
        signal: send.signal as AbortSignal | undefined,
        headersTimeout: send.headersTimeout,
        bodyTimeout: send.bodyTimeout,
      });
    } catch (err) {
      throw mapTransportError(err, { request: prepared.redacted, signal: send.signal, phase: 'request' });
    }
    const headers = flattenHeaders(data.headers);
    const requestId = findRequestId(headers);
    if (hooks?.onResponse) {
      callHook(hooks.onResponse, {
        request: prepared.redacted,
        status: data.statusCode,
        headers: redactHeaders(headers, prepared.secrets),
        ...(requestId === undefined ? {} : { requestId }),
        attempt,
        elapsedMs: performance.now() - started,
      });
    }
    const meta = { status: data.statusCode, headers, ...(requestId === undefined ? {} : { requestId }) };
    return { data, meta };
  }

  /** sendRaw + non-2xx mapped to an OrchError (after reading a bounded excerpt of the error body). */
  private async send(prepared: Prepared, attempt: number, send: SendOptions) {
    const { data, meta } = await this.sendRaw(prepared, attempt, send);
    if (data.statusCode >= 200 && data.statusCode < 300) return { body: data.body, meta };
    let bodyText = '';
    try {
      bodyText = (await readBodyText(data.body as Readable, ERROR_BODY_LIMIT)).text;
    } catch {
      // The status alone still classifies the failure.
      discardBody(data.body as Readable);
    }
    throw errorFromResponse(
      { status: data.statusCode, headers: meta.headers, bodyText },
      {
        request: prepared.redacted,
        requestId: meta.requestId,
        map: this.opts.mapErrorResponse,
        secrets: prepared.secrets,
      },
    );
  }

  private async unexpectedContentType(
    res: {
      body: Dispatcher.ResponseData['body'];
      meta: { status: number; headers: Record<string, string>; requestId?: string };
    },
    prepared: Prepared,
    contentType: string,
    signal: CancelSignal | undefined,
  ): Promise<OrchError> {
    let bodyText = '';
    try {
      bodyText = (await readBodyText(res.body as Readable, ERROR_BODY_LIMIT)).text;
    } catch (err) {
      return mapTransportError(err, { request: prepared.redacted, signal, phase: 'body' });
    }
    const mapped = this.opts.mapErrorResponse?.({
      status: res.meta.status,
      headers: res.meta.headers,
      bodyText,
    });
    if (mapped) {
      return errorFromResponse(
        { status: res.meta.status, headers: res.meta.headers, bodyText },
        {
          request: prepared.redacted,
          requestId: res.meta.requestId,
          map: () => mapped,
          secrets: prepared.secrets,
        },
      );
    }
    return new OrchError('PROTOCOL', `Expected text/event-stream, got ${contentType}`, {
      retriable: false,
      status: res.meta.status,
      request: prepared.redacted,
      ...(res.meta.requestId === undefined ? {} : { requestId: res.meta.requestId }),
    });
  }

  private async withRetry<T>(
    prepared: Prepared,
    signal: CancelSignal | undefined,
    retryEnabled: boolean,
    attemptOnce: (attempt: number) => Promise<T>,
  ): Promise<T> {
    const policy = this.retry === false || !retryEnabled ? undefined : this.retry;
    this.budget?.recordRequest();
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted)
        throw mapTransportError(signal.reason, { request: prepared.redacted, signal, phase: 'request' });
      if (this.breaker && !this.breaker.allow()) throw this.breakerOpen(prepared);
      let error: OrchError;
      try {
        const result = await attemptOnce(attempt);
        this.breaker?.onSuccess();
        return result;
      } catch (err) {
        error =
          err instanceof OrchError
            ? err
            : mapTransportError(err, { request: prepared.redacted, signal, phase: 'request' });
      }
      this.account(error);
      if (!policy || error.code === 'CANCELLED') throw error;
      const delayMs = retryDelay(attempt, error, policy);
      if (delayMs === undefined || !this.budget?.canRetry()) throw error;
      this.budget.recordRetry();
      callHook(this.opts.hooks?.onRetry, { request: prepared.redacted, attempt, delayMs, error });
      try {
        await abortableSleep(delayMs, signal);
      } catch {
        throw mapTransportError(signal?.reason, { request: prepared.redacted, signal, phase: 'request' });
      }
    }
  }

  private account(error: OrchError): void {
    if (!this.breaker) return;
    if (isBreakerFailure(error)) this.breaker.onFailure();
    else if (error.code === 'CANCELLED' || error.status === 429) this.breaker.release();
    else this.breaker.onSuccess();
  }

  private breakerOpen(prepared: Prepared): OrchError {
    return new OrchError('UPSTREAM_ERROR', `Circuit breaker open for ${this.origin}`, {
      retriable: true,
      retryAfterMs: this.breaker?.remainingCooldownMs() ?? 0,
      request: prepared.redacted,
      upstreamType: 'circuit_open',
    });
  }
}

/** Upstream trouble (5xx, transport, timeouts, garbage) counts; caller mistakes and 429 backpressure do not. */
function isBreakerFailure(err: OrchError): boolean {
  // A model that is still loading is an engine warming up, not an engine failing.
  if (err.code === 'MODEL_LOADING') return false;
  if (err.status !== undefined) return err.status >= 500;
  return err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.code === 'PROTOCOL';
}
