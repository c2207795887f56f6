// Typed client for the daemon's native API (/v2). Every response is validated; every failure is an
// OrchError carrying the daemon's code, so callers branch on `code` exactly as inside the daemon.
import {
  type EndEvent,
  errorFromEvent,
  OrchError,
  type StartedEvent,
  type TaskRequestInput,
  type TokenEvent,
  toOrchError,
} from '@orch/adapter-api';
import { type Dispatcher, request } from 'undici';
import { z } from 'zod';
import { errorFromResponse } from './client-error.js';
import { readTokenEvents } from './sse-events.js';

export interface OrchClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Bearer token for the daemon (ORCHD tokens), sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
}

export interface CallOptions {
  signal?: AbortSignal;
  correlationId?: string;
}

/** Where the daemon may run a task: `pin` never falls back, `prefer` does. */
export interface Placement {
  pin?: { pool?: string; replica?: string };
  prefer?: { pool?: string; replica?: string };
}

/** A task as the native API takes it: the TaskRequest plus the daemon-level placement. */
export type NativeTask = TaskRequestInput & { placement?: Placement };

const BatchItemSchema = z
  .object({
    index: z.number().int().nonnegative(),
    /** Set when the task was admitted. */
    task_id: z.string().min(1).optional(),
    queue_position: z.number().int().nonnegative().optional(),
    predicted_start_ms: z.number().nonnegative().optional(),
    /** Set when this task was refused. */
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        retriable: z.boolean().optional(),
        field: z.string().optional(),
      })
      .optional(),
  })
  .refine(
    (i) => (i.task_id === undefined) !== (i.error === undefined),
    'each item has a task_id or an error',
  );

export const BatchResponseSchema = z.looseObject({
  batch_id: z.string().min(1),
  tasks: z.array(BatchItemSchema),
});
export type BatchResponse = z.infer<typeof BatchResponseSchema>;

export const SubmitResponseSchema = z.looseObject({
  task_id: z.string().min(1),
  queue_position: z.number().int().nonnegative(),
  predicted_start_ms: z.number().nonnegative(),
  streams: z.unknown().optional(),
});
export type SubmitResponse = z.infer<typeof SubmitResponseSchema>;

const TaskStateSchema = z.looseObject({
  task_id: z.string().optional(),
  state: z.string(),
});
export type TaskState = z.infer<typeof TaskStateSchema>;

export interface GenerateOutput {
  task_id: string;
  text: string;
  finish_reason: EndEvent['finish_reason'];
  tool_calls?: EndEvent['tool_calls'];
  usage: EndEvent['usage'];
  metrics: EndEvent['metrics'];
  model: string;
  engine: string;
  engine_version: string;
}

export interface HealthStatus {
  ok: boolean;
  status: number;
  body: unknown;
}

const AnyJson = z.unknown();

export class OrchClient {
  private readonly base: string;
  private readonly options: OrchClientOptions;

  constructor(options: OrchClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new OrchError('INVALID_REQUEST', `baseUrl is not a URL: ${options.baseUrl}`, {
        field: 'baseUrl',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OrchError('INVALID_REQUEST', 'baseUrl must be http or https', { field: 'baseUrl' });
    }
    this.base = url.href.replace(/\/+$/, '');
    this.options = options;
  }

  private headers(extra: Record<string, string>, opts: CallOptions): Record<string, string> {
    const h: Record<string, string> = { ...this.options.headers, ...extra };
    if (this.options.token) h.authorization = `Bearer ${this.options.token}`;
    if (opts.correlationId) h['x-correlation-id'] = opts.correlationId;
    return h;
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    opts: CallOptions = {},
  ): Promise<{ status: number; json: unknown }> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.base}${path}`, {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }, opts),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
    } catch (err) {
      throw transportError(err, this.base);
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) throw errorFromResponse(res.statusCode, text, res.headers);
    let json: unknown;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new OrchError('PROTOCOL', `The daemon answered ${path} with a body that is not JSON`, {
          retriable: false,
          status: res.statusCode,
        });
      }
    }
    return { status: res.statusCode, json };
  }

  private validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
    const r = schema.safeParse(value);
    if (!r.success) {
      throw new OrchError(
        'PROTOCOL',
        `The daemon sent an unexpected ${what}: ${r.error.issues[0]?.message}`,
        {
          retriable: false,
          cause: r.error,
        },
      );
    }
    return r.data;
  }

  /** POST /v2/tasks: admits the task (202) and returns its id, queue position and predicted start. */
  async submit(task: NativeTask, opts: CallOptions = {}): Promise<SubmitResponse> {
    const { json } = await this.call('POST', '/v2/tasks', task, opts);
    return this.validate(SubmitResponseSchema, json, 'submit response');
  }

  /**
   * POST /v2/batches: admits many tasks in one request. Each item has a `task_id` (follow it with
   * `events`) or the `error` that refused that one task; one refusal does not fail the batch.
   */
  async submitBatch(
    tasks: NativeTask[],
    opts: CallOptions & { placement?: Placement } = {},
  ): Promise<BatchResponse> {
    const body = { tasks, ...(opts.placement ? { placement: opts.placement } : {}) };
    const { json } = await this.call('POST', '/v2/batches', body, opts);
    return this.validate(BatchResponseSchema, json, 'batch response');
  }

  /** GET /v2/tasks/{id}: the task's state (and result once done). */
  async task(taskId: string, opts: CallOptions = {}): Promise<TaskState> {
    const { json } = await this.call('GET', `/v2/tasks/${encodeURIComponent(taskId)}`, undefined, opts);
    return this.validate(TaskStateSchema, json, 'task state');
  }

  /**
   * GET /v2/tasks/{id}/events: started, tokens as they come, then one `end` or `error`. Breaking
   * out or aborting closes the connection (it does not cancel the task: use `cancel` or `stream`).
   */
  async *events(taskId: string, opts: CallOptions = {}): AsyncGenerator<TokenEvent, void, undefined> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.base}/v2/tasks/${encodeURIComponent(taskId)}/events`, {
        method: 'GET',
        headers: this.headers({ accept: 'text/event-stream' }, opts),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
    } catch (err) {
      throw transportError(err, this.base);
    }
    if (res.statusCode >= 400) throw errorFromResponse(res.statusCode, await res.body.text(), res.headers);
    let terminal = false;
    try {
      for await (const ev of readTokenEvents(res.body)) {
        if (ev.type === 'end' || ev.type === 'error') terminal = true;
        yield ev;
      }
    } catch (err) {
      throw transportError(err, this.base);
    }
    if (!terminal) {
      throw new OrchError('PROTOCOL', `The event stream of task ${taskId} ended without end or error`, {
        retriable: false,
      });
    }
  }

  /** submit + events. Leaving early (break, abort) cancels the task on the daemon. */
  async *stream(task: NativeTask, opts: CallOptions = {}): AsyncGenerator<TokenEvent, void, undefined> {
    const { task_id } = await this.submit(task, opts);
    let settled = false;
    try {
      for await (const ev of this.events(task_id, opts)) {
        if (ev.type === 'end' || ev.type === 'error') settled = true;
        yield ev;
      }
    } finally {
      if (!settled) await this.cancel(task_id).catch(() => undefined);
    }
  }

  /** POST /v2/tasks/{id}/cancel (204). No token is delivered after it returns. */
  async cancel(taskId: string, opts: CallOptions = {}): Promise<void> {
    await this.call('POST', `/v2/tasks/${encodeURIComponent(taskId)}/cancel`, undefined, {
      ...(opts.correlationId ? { correlationId: opts.correlationId } : {}),
    });
  }

  /** Runs a task to completion. Rejects with the job's OrchError when it fails. */
  async generate(task: NativeTask, opts: CallOptions = {}): Promise<GenerateOutput> {
    let started: StartedEvent | undefined;
    for await (const ev of this.stream(task, opts)) {
      if (ev.type === 'started') started = ev;
      else if (ev.type === 'end') {
        const out: GenerateOutput = {
          task_id: ev.job_id,
          text: ev.text,
          finish_reason: ev.finish_reason,
          usage: ev.usage,
          metrics: ev.metrics,
          model: started?.model ?? 'unknown',
          engine: started?.engine ?? 'unknown',
          engine_version: started?.engine_version ?? 'unknown',
        };
        if (ev.tool_calls) out.tool_calls = ev.tool_calls;
        return out;
      } else if (ev.type === 'error') {
        throw errorFromEvent(ev);
      }
    }
    throw new OrchError('PROTOCOL', 'The task ended without a final event', { retriable: false });
  }

  /** GET /v2/pools. */
  async pools(opts: CallOptions = {}): Promise<unknown[]> {
    return listOf((await this.call('GET', '/v2/pools', undefined, opts)).json, 'pools');
  }

  /** GET /v2/models. */
  async models(opts: CallOptions = {}): Promise<unknown[]> {
    return listOf((await this.call('GET', '/v2/models', undefined, opts)).json, 'models');
  }

  /** GET /healthz and /readyz: never throws for an unhealthy daemon, only for an unreachable one. */
  async health(opts: CallOptions = {}): Promise<{ live: HealthStatus; ready: HealthStatus }> {
    const probe = async (path: string): Promise<HealthStatus> => {
      try {
        const { status, json } = await this.call('GET', path, undefined, opts);
        return { ok: true, status, body: AnyJson.parse(json) };
      } catch (err) {
        const e = toOrchError(err);
        if (e.status === undefined) throw e;
        return { ok: false, status: e.status, body: { code: e.code, message: e.message } };
      }
    };
    return { live: await probe('/healthz'), ready: await probe('/readyz') };
  }
}

/** Accepts a bare array or `{<key>: [...]}`. */
function listOf(json: unknown, key: string): unknown[] {
  if (Array.isArray(json)) return json;
  if (typeof json === 'object' && json !== null) {
    const v = (json as Record<string, unknown>)[key] ?? (json as Record<string, unknown>).data;
    if (Array.isArray(v)) return v;
  }
  throw new OrchError('PROTOCOL', `The daemon sent no ${key} list`, { retriable: false });
}

function transportError(err: unknown, base: string): OrchError {
  if (err instanceof OrchError) return err;
  if (
    err instanceof Error &&
    (err.name === 'AbortError' || (err as { code?: string }).code === 'UND_ERR_ABORTED')
  ) {
    return new OrchError('CANCELLED', 'The request was aborted', { retriable: false, cause: err });
  }
  const code = (err as { code?: string } | undefined)?.code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ECONNRESET' ||
    code?.startsWith('UND_ERR')
  ) {
    return new OrchError('NETWORK', `Cannot reach the daemon at ${base} (${code})`, { cause: err });
  }
  return toOrchError(err);
}
