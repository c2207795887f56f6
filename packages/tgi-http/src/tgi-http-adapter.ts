import {
  AdapterBase,
  type AdapterProps,
  Canceller,
  type CancelSignal,
  type HealthReport,
  invalidRequestFromZod,
  OrchError,
  type SourceContext,
  type SourceEvent,
  type SourceYield,
  type SubmitOptions,
  type TaskRequest,
  type Timeouts,
  toOrchError,
} from '@orch/adapter-api';
import {
  HttpClient,
  type HttpClientOptions,
  probeHealth,
  type RetryPolicyOptions,
  roundMs,
} from '@orch/http-util';
import { buildChatBody } from './chat-params.js';
import { checkSupport } from './check-support.js';
import { chooseRoute, type RouteOption, type TgiRoute } from './choose-route.js';
import { mapTgiErrorResponse } from './error-response.js';
import { buildGenerateBody } from './generate-params.js';
import { parseTgiInfo, type TgiInfo, versionAtLeast } from './info-parser.js';
import { chatCompletionEvents, generateResponseEvents } from './non-stream-events.js';
import { ChatCompletionSchema, GenerateResponseSchema } from './response-schemas.js';
import { type StreamJobPlan, streamJob } from './stream-job.js';
import { chatStep, generateStep } from './stream-steps.js';

export interface TgiHttpAdapterOptions extends Omit<HttpClientOptions, 'baseUrl' | 'mapErrorResponse'> {
  /** TGI's base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Adapter id (default `tgi@<host:port>`). */
  id?: string;
  /** Route choice (default `auto`: prompt → /generate_stream; messages, tools, response_format → chat). */
  route?: RouteOption;
  /** `model` sent to the chat route when the task names none (TGI: anything but "tgi" selects a LoRA). */
  model?: string;
  /** Extra fields for /generate's `parameters` (truncate, typical_p, watermark, adapter_id, …) that orch does not set itself. */
  extraParameters?: Record<string, unknown>;
  /** Deadlines for jobs that set none. */
  timeouts?: Timeouts;
  /** /health slower than this (but 200) reports `degraded` (default 1000 ms). */
  degradedLatencyMs?: number;
  /** /health probe deadline; past it the engine is `unhealthy` (default 5000 ms). */
  healthTimeoutMs?: number;
  /** How long a fetched /info stays fresh (default 5 min). */
  infoTtlMs?: number;
}

const ENGINE = 'tgi';
const INFO_TIMEOUT_MS = 5000;
/** A job waits this long at most for /info on a cold adapter (one attempt), then runs without it. */
const JOB_INFO_TIMEOUT_MS = 2000;
/** After /info failed, jobs don't ask again for this long (they run without it). */
const INFO_RETRY_MS = 30_000;

/** WorkerAdapter for Hugging Face text-generation-inference over HTTP (specs/tgi-http.md). */
export class TgiHttpAdapter extends AdapterBase {
  readonly engine = ENGINE;
  // generated_text (generate) and the joined content deltas (chat) always arrive on `end`.
  protected override readonly sourceProvidesText = true;
  readonly id: string;
  private readonly http: HttpClient;
  private readonly opts: TgiHttpAdapterOptions;
  private info: TgiInfo | undefined;
  private infoAt = 0;
  private infoFailedAt = 0;
  private infoInFlight: Promise<TgiInfo> | undefined;
  private readonly streamRetry: RetryPolicyOptions | false;

  constructor(options: TgiHttpAdapterOptions) {
    super();
    this.opts = options;
    // extraBody goes to the transport, which splices missing fields into the JSON text built here.
    const {
      extraParameters: _params,
      id: _id,
      route: _route,
      model: _model,
      timeouts: _t,
      degradedLatencyMs: _d,
      healthTimeoutMs: _h,
      infoTtlMs: _i,
      ...transport
    } = options;
    // HttpClient validates baseUrl (INVALID_REQUEST naming it) before anything else reads it.
    this.http = new HttpClient({
      ...transport,
      baseUrl: options.baseUrl,
      mapErrorResponse: mapTgiErrorResponse,
    });
    this.id = options.id ?? `${ENGINE}@${new URL(options.baseUrl).host}`;
    this.streamRetry = options.retry ?? {};
  }

  protected override defaultTimeouts(): TaskRequest['timeouts'] {
    return this.opts.timeouts;
  }

  protected modelFor(task: TaskRequest): string {
    return this.info?.modelId ?? task.model ?? this.opts.model ?? 'unknown';
  }

  protected engineVersion(): string {
    return this.info?.version ?? 'unknown';
  }

  protected run(task: TaskRequest, ctx: SourceContext): AsyncIterable<SourceYield> {
    if (ctx.nonStreaming) return this.runNonStreaming(task, ctx.cancel);
    return streamJob({
      http: this.http,
      signal: ctx.cancel,
      plan: () => this.planStream(task, ctx.cancel),
      retry: this.streamRetry,
    });
  }

  private async planStream(task: TaskRequest, signal: CancelSignal): Promise<StreamJobPlan> {
    const route = chooseRoute(task, this.opts.route);
    const pending = this.infoForJob(signal);
    const info = pending instanceof Promise ? await pending : pending;
    checkSupport(task, route, info);
    const started = this.startedEvent(task, info);
    const body = this.buildBody(task, route, info, true);
    if (route === 'generate') return { started, path: '/generate_stream', body, step: generateStep };
    return { started, path: '/v1/chat/completions', body, step: chatStep };
  }

  private async *runNonStreaming(
    task: TaskRequest,
    signal: CancelSignal,
  ): AsyncGenerator<SourceYield, void, undefined> {
    const route = chooseRoute(task, this.opts.route);
    const info = await this.infoForJob(signal);
    checkSupport(task, route, info);
    const started = this.startedEvent(task, info);
    const body = this.buildBody(task, route, info, false);
    if (route === 'generate') {
      const res = await this.http.requestJson('/generate', {
        method: 'POST',
        body,
        signal,
        schema: GenerateResponseSchema,
      });
      yield started;
      yield generateResponseEvents(res.body, res.headers);
      return;
    }
    const res = await this.http.requestJson('/v1/chat/completions', {
      method: 'POST',
      body,
      signal,
      schema: ChatCompletionSchema,
    });
    yield started;
    yield chatCompletionEvents(res.body);
  }

  private buildBody(task: TaskRequest, route: TgiRoute, info: TgiInfo | undefined, stream: boolean): string {
    const common = {
      ...(info?.maxStopSequences !== undefined ? { maxStopSequences: info.maxStopSequences } : {}),
    };
    if (route === 'generate') {
      return buildGenerateBody(task, {
        ...common,
        ...(this.opts.extraParameters ? { extraParameters: this.opts.extraParameters } : {}),
      });
    }
    return buildChatBody(task, { ...common, stream, ...(this.opts.model ? { model: this.opts.model } : {}) });
  }

  private startedEvent(task: TaskRequest, info: TgiInfo | undefined): SourceEvent {
    return {
      type: 'started',
      engine_version: info?.version ?? 'unknown',
      model: info?.modelId ?? task.model ?? this.opts.model ?? 'unknown',
    };
  }

  /**
   * /info for a job: cached; fetched once on a cold adapter; a failure never fails the job. Answers
   * synchronously unless the job has to wait, so a warm adapter's jobs skip an await.
   */
  private infoForJob(signal: CancelSignal): TgiInfo | undefined | Promise<TgiInfo | undefined> {
    if (this.info && this.fresh()) return this.info;
    if (Date.now() - this.infoFailedAt < INFO_RETRY_MS) return this.info;
    if (this.info) {
      // Stale: refresh in the background, the job need not wait for it.
      this.loadInfo(false).catch(() => undefined);
      return this.info;
    }
    return this.waitForInfo(signal);
  }

  private async waitForInfo(signal: CancelSignal): Promise<TgiInfo | undefined> {
    try {
      return await abortable(this.loadInfo(false), signal);
    } catch {
      if (signal.aborted) throw toOrchError(signal.reason);
      return this.info;
    }
  }

  private fresh(): boolean {
    return Date.now() - this.infoAt < (this.opts.infoTtlMs ?? 300_000);
  }

  /** One /info request at a time, shared by every caller that needs it. */
  private loadInfo(retry = true): Promise<TgiInfo> {
    this.infoInFlight ??= (async () => {
      try {
        const res = await this.http.requestJson('/info', {
          method: 'GET',
          retry,
          timeoutMs: retry ? INFO_TIMEOUT_MS : JOB_INFO_TIMEOUT_MS,
        });
        const parsed = parseTgiInfo(res.body);
        if (!parsed.ok) {
          const err = invalidRequestFromZod(parsed.error, '/info.');
          throw new OrchError('PROTOCOL', `TGI sent an invalid /info: ${err.message}`, {
            retriable: false,
            ...(err.field !== undefined ? { field: err.field } : {}),
          });
        }
        this.info = parsed.info;
        this.infoAt = Date.now();
        this.infoFailedAt = 0;
        return parsed.info;
      } catch (err) {
        this.infoFailedAt = Date.now();
        throw err;
      } finally {
        this.infoInFlight = undefined;
      }
    })();
    return this.infoInFlight;
  }

  async props(options: SubmitOptions = {}): Promise<AdapterProps> {
    const info =
      this.info && this.fresh()
        ? this.info
        : await abortable(this.loadInfo(true), options.signal ?? neverAborted);
    const v = info.semver;
    const props: AdapterProps = {
      engine: ENGINE,
      engineVersion: info.version,
      modelId: info.modelId,
      capabilities: {
        // The Messages API arrived in 1.4.0, grammars in 1.4.3, tools in 2.0.0.
        chat: versionAtLeast(v, [1, 4, 0]),
        grammar: versionAtLeast(v, [1, 4, 3]),
        tools: versionAtLeast(v, [2, 0, 0]),
        logprobs: true,
        streaming: true,
      },
    };
    if (info.maxInputTokens !== undefined) props.maxInputTokens = info.maxInputTokens;
    if (info.maxTotalTokens !== undefined) props.maxTotalTokens = info.maxTotalTokens;
    if (info.maxConcurrentRequests !== undefined) {
      props.slotsTotal = info.maxConcurrentRequests;
      // Only this adapter's own jobs are known; other clients of the same TGI are invisible.
      props.slotsFree = Math.max(0, info.maxConcurrentRequests - this.inFlight);
    }
    return props;
  }

  health(options: SubmitOptions = {}): Promise<HealthReport> {
    const timeoutMs = this.opts.healthTimeoutMs ?? 5000;
    return probeHealth(this.http, '/health', { signal: options.signal, timeoutMs }, (res, checkedAt) => {
      const latencyMs = roundMs(res.latencyMs);
      if (res.status === 200) {
        const slow = latencyMs > (this.opts.degradedLatencyMs ?? 1000);
        return {
          state: slow ? 'degraded' : 'healthy',
          live: true,
          ready: true,
          ...(slow ? { message: `/health took ${latencyMs} ms` } : {}),
          latencyMs,
          checkedAt,
        };
      }
      const detail = res.bodyText.trim().slice(0, 200);
      return {
        state: 'unhealthy',
        live: true,
        ready: false,
        message: `/health answered ${res.status}${detail ? `: ${detail}` : ''}`,
        latencyMs,
        checkedAt,
      };
    });
  }

  protected override async onClose(): Promise<void> {
    await this.http.close();
  }
}

const neverAborted: CancelSignal = new Canceller();

/** Waits for `p` unless `signal` aborts first; the listener is removed either way. */
function abortable<T>(p: Promise<T>, signal: CancelSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(toOrchError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toOrchError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
