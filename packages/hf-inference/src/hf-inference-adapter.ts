import type { CancelSignal } from '@orch/adapter-api';
import {
  AdapterBase,
  type AdapterProps,
  type GenerateOptions,
  type GenerateResult,
  type HealthReport,
  type SourceContext,
  type SourceYield,
  type SubmitOptions,
  type TaskRequest,
  type TaskRequestInput,
} from '@orch/adapter-api';
import { HttpClient, type HttpClientOptions } from '@orch/http-util';
import { endpointSource } from './endpoint-source.js';
import { HealthCache } from './health-cache.js';
import { mapHfErrorResponse } from './hf-error.js';
import {
  DEFAULT_ROUTER_URL,
  DEFAULT_SERVERLESS_URL,
  type HfInferenceMode,
  type HfInferenceOptions,
  type ResolvedOptions,
  resolveOptions,
} from './hf-inference-options.js';
import { probeHealth } from './probe-health.js';
import { routerModelId, toRouterResponseFormat } from './router-request.js';
import { ROUTER_ENGINE_VERSION, routerSource } from './router-source.js';
import { messagesUnsupported, serverlessPath } from './serverless-request.js';
import { SERVERLESS_ENGINE_VERSION, serverlessSource } from './serverless-source.js';
import { TgiHttpAdapter, type TgiHttpAdapterOptions } from './shared-wire.js';

export const HF_ENGINE = 'hf-inference';
export const BILL_TO_HEADER = 'X-HF-Bill-To';

/** The transport fields of the options, as http-util (and tgi-http) take them. */
function transportOptions(o: ResolvedOptions): Omit<HttpClientOptions, 'baseUrl' | 'mapErrorResponse'> {
  const headers = { ...o.headers, ...(o.billTo !== undefined ? { [BILL_TO_HEADER]: o.billTo } : {}) };
  const t: Omit<HttpClientOptions, 'baseUrl' | 'mapErrorResponse'> = { headers };
  if (o.apiKey !== undefined) t.apiKey = o.apiKey;
  if (o.dispatcher !== undefined) t.dispatcher = o.dispatcher;
  if (o.connections !== undefined) t.connections = o.connections;
  if (o.keepAliveTimeoutMs !== undefined) t.keepAliveTimeoutMs = o.keepAliveTimeoutMs;
  if (o.connectTimeoutMs !== undefined) t.connectTimeoutMs = o.connectTimeoutMs;
  if (o.headersTimeoutMs !== undefined) t.headersTimeoutMs = o.headersTimeoutMs;
  if (o.bodyTimeoutMs !== undefined) t.bodyTimeoutMs = o.bodyTimeoutMs;
  if (o.maxLineBytes !== undefined) t.maxLineBytes = o.maxLineBytes;
  if (o.retry !== undefined) t.retry = o.retry;
  if (o.breaker !== undefined) t.breaker = o.breaker;
  if (o.hooks !== undefined) t.hooks = o.hooks;
  return t;
}

/**
 * WorkerAdapter for Hugging Face's hosted inference (specs/hf-inference.md): the Inference Providers
 * router (OpenAI chat completions, default), the serverless text-generation API, or a dedicated
 * Inference Endpoint (TGI, through tgi-http). Reads no environment: the key is passed in.
 */
export class HfInferenceAdapter extends AdapterBase {
  readonly engine = HF_ENGINE;
  // Every mode ends with the engine's own text (router content, TGI generated_text).
  protected override readonly sourceProvidesText = true;
  readonly id: string;
  readonly mode: HfInferenceMode;
  readonly baseUrl: string;
  private readonly opts: ResolvedOptions;
  private readonly http: HttpClient | undefined;
  private readonly endpoint: TgiHttpAdapter | undefined;
  private readonly healthCache: HealthCache;
  private endpointVersion: string | undefined;

  constructor(options: HfInferenceOptions) {
    super();
    const o = resolveOptions(options);
    this.opts = o;
    this.mode = o.mode;
    this.baseUrl = o.baseUrl ?? (o.mode === 'serverless' ? DEFAULT_SERVERLESS_URL : DEFAULT_ROUTER_URL);
    this.id = o.id ?? `${HF_ENGINE}:${o.mode}:${o.model}`;
    const transport = transportOptions(o);
    if (o.mode === 'endpoint') {
      const tgi: TgiHttpAdapterOptions = { ...transport, baseUrl: this.baseUrl, id: `${this.id}/tgi` };
      if (o.extraBody !== undefined) tgi.extraBody = o.extraBody;
      if (o.route !== undefined) tgi.route = o.route;
      this.endpoint = new TgiHttpAdapter(tgi);
    } else {
      this.http = new HttpClient({
        ...transport,
        ...(o.extraBody !== undefined ? { extraBody: o.extraBody } : {}),
        baseUrl: this.baseUrl,
        mapErrorResponse: mapHfErrorResponse,
      });
    }
    this.healthCache = new HealthCache(o.healthIntervalMs, (signal) => this.probe(signal));
  }

  /** The model id as sent upstream (router: with the provider suffix). */
  get modelId(): string {
    return this.mode === 'router' ? routerModelId(this.opts.model, this.opts.provider) : this.opts.model;
  }

  /** Validates the task and refuses, synchronously and naming the field, what this mode cannot do. */
  override submit(input: TaskRequestInput | TaskRequest, options: SubmitOptions = {}) {
    return super.submit(this.precheck(input), options);
  }

  override generate(
    input: TaskRequestInput | TaskRequest,
    options: GenerateOptions = {},
  ): Promise<GenerateResult> {
    try {
      return super.generate(this.precheck(input), options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * What this mode cannot do at all is refused before the job starts, from the raw input (cheap
   * property reads: the task is validated once, by AdapterBase). Finer rules run in the body builders.
   */
  private precheck(input: TaskRequestInput | TaskRequest): TaskRequestInput | TaskRequest {
    // Not an object: let AdapterBase's validation name the problem.
    if (typeof input !== 'object' || input === null) return input;
    if (this.mode === 'router' && input.response_format?.type === 'regex') {
      toRouterResponseFormat(input.response_format);
    }
    if (this.mode === 'serverless' && input.messages !== undefined) throw messagesUnsupported();
    return input;
  }

  protected override defaultTimeouts(): TaskRequest['timeouts'] {
    return this.opts.defaultTimeouts;
  }

  protected modelFor(task: TaskRequest): string {
    const model = task.model ?? this.opts.model;
    return this.mode === 'router' ? routerModelId(model, this.opts.provider) : model;
  }

  protected engineVersion(): string {
    if (this.mode === 'router') return ROUTER_ENGINE_VERSION;
    if (this.mode === 'serverless') return SERVERLESS_ENGINE_VERSION;
    return this.endpointVersion ?? 'unknown';
  }

  protected run(task: TaskRequest, ctx: SourceContext): AsyncIterable<SourceYield> {
    const loading = this.opts.loading ?? {};
    const retry = this.opts.retry ?? {};
    if (this.endpoint) return endpointSource(this.endpoint, task, ctx);
    const http = this.http!;
    if (this.mode === 'serverless') {
      return serverlessSource(task, ctx, {
        http,
        model: this.opts.model,
        useCache: this.opts.useCache,
        waitForModel: this.opts.waitForModel,
        loading,
        retry,
      });
    }
    return routerSource(task, ctx, {
      http,
      model: this.opts.model,
      provider: this.opts.provider,
      loading,
      retry,
    });
  }

  /** Cached for `healthIntervalMs` (default 30 s): probes are authenticated requests on the user's quota. */
  health(options: SubmitOptions = {}): Promise<HealthReport> {
    return this.healthCache.get(options.signal);
  }

  private probe(signal: CancelSignal | undefined): Promise<HealthReport> {
    if (this.endpoint) return this.endpoint.health(signal ? { signal } : {});
    const path = this.mode === 'serverless' ? serverlessPath(this.opts.model) : '/v1/models';
    return probeHealth(this.http!, path, this.opts.healthSlowMs, signal);
  }

  async props(options: SubmitOptions = {}): Promise<AdapterProps> {
    if (this.endpoint) {
      const inner = await this.endpoint.props(options);
      this.endpointVersion = inner.engineVersion;
      return { ...inner, engine: HF_ENGINE };
    }
    const router = this.mode === 'router';
    return {
      engine: HF_ENGINE,
      engineVersion: this.engineVersion(),
      modelId: this.modelId,
      capabilities: {
        chat: router,
        tools: router,
        // Router: JSON (schema or object) via response_format; serverless: TGI grammars.
        grammar: true,
        logprobs: true,
        streaming: true,
      },
    };
  }

  protected override async onClose(): Promise<void> {
    await this.endpoint?.close();
    await this.http?.close();
  }
}
