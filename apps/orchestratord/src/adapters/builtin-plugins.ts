import type { WorkerAdapter } from '@orch/adapter-api';
import { z } from 'zod';
import { type AdapterPlugin, defineAdapter } from './define-adapter.js';
import { importAdapterClass } from './lazy-import.js';

/** The model the daemon serves when it is started with no configuration at all. */
export const EMBEDDED_MODEL = 'orch-tiny-llama';

function asAdapter(value: unknown, plugin: string): WorkerAdapter {
  const a = value as Partial<WorkerAdapter> | null;
  if (
    !a ||
    typeof a.submit !== 'function' ||
    typeof a.health !== 'function' ||
    typeof a.props !== 'function'
  ) {
    throw new Error(`adapter plugin '${plugin}' built something that is not a WorkerAdapter`);
  }
  return a as WorkerAdapter;
}

export const tgiHttpPlugin = defineAdapter({
  name: 'tgi-http',
  requiresUrl: true,
  configSchema: z
    .object({
      route: z.enum(['auto', 'generate', 'chat']).optional(),
    })
    .strict(),
  async create(ctx) {
    const Tgi = await importAdapterClass('@orch/tgi-http', 'TgiHttpAdapter');
    // The daemon owns retries (failover to another replica) and the breaker (passive health):
    // an adapter retrying the same busy replica with backoff would only delay that.
    const opts: Record<string, unknown> = {
      baseUrl: ctx.replica.url,
      id: ctx.adapterId,
      retry: false,
      breaker: false,
    };
    if (ctx.apiKey) opts.apiKey = ctx.apiKey;
    if (ctx.options.route) opts.route = ctx.options.route;
    return asAdapter(new Tgi(opts), 'tgi-http');
  },
});

export const hfInferencePlugin = defineAdapter({
  name: 'hf-inference',
  configSchema: z
    .object({
      /** The hub model id to call (defaults to the task's model at request time when the adapter allows). */
      model: z.string().min(1),
      mode: z.enum(['router', 'serverless', 'endpoint']).optional(),
      provider: z.string().min(1).optional(),
      bill_to: z.string().min(1).optional(),
    })
    .strict(),
  async create(ctx) {
    const Hf = await importAdapterClass('@orch/hf-inference', 'HfInferenceAdapter');
    const opts: Record<string, unknown> = {
      model: ctx.options.model,
      id: ctx.adapterId,
      retry: false,
      breaker: false,
    };
    if (ctx.replica.url) opts.baseUrl = ctx.replica.url;
    if (ctx.apiKey) opts.apiKey = ctx.apiKey;
    if (ctx.options.mode) opts.mode = ctx.options.mode;
    if (ctx.options.provider) opts.provider = ctx.options.provider;
    if (ctx.options.bill_to) opts.billTo = ctx.options.bill_to;
    return asAdapter(new Hf(opts), 'hf-inference');
  },
});

export const localTransformersPlugin = defineAdapter({
  name: 'local-transformers',
  configSchema: z
    .object({
      model: z.string().min(1).default(EMBEDDED_MODEL),
      models_dir: z.string().min(1).optional(),
      cache_dir: z.string().min(1).optional(),
      allow_remote: z.boolean().default(false),
      device: z.enum(['cpu', 'cuda', 'auto']).optional(),
      dtype: z.string().min(1).optional(),
      workers: z.number().int().min(1).max(64).optional(),
      max_queue: z.number().int().min(0).max(100_000).optional(),
      max_loaded_models: z.number().int().min(1).max(64).optional(),
    })
    .strict(),
  async create(ctx) {
    const Local = await importAdapterClass('@orch/local-transformers', 'LocalTransformersAdapter');
    const o = ctx.options;
    // Without models_dir the adapter uses the package's own bundled models folder.
    const opts: Record<string, unknown> = { model: o.model, allowRemote: o.allow_remote, id: ctx.adapterId };
    if (o.models_dir) opts.modelsDir = o.models_dir;
    if (o.max_queue !== undefined) opts.maxQueue = o.max_queue;
    if (o.max_loaded_models !== undefined) opts.maxLoadedModels = o.max_loaded_models;
    if (o.cache_dir) opts.cacheDir = o.cache_dir;
    if (o.device) opts.device = o.device;
    if (o.dtype) opts.dtype = o.dtype;
    if (o.workers) opts.workers = o.workers;
    // Model download/load progress goes to the (debug) logs, at most once per 10% per file.
    const seen = new Map<string, number>();
    const onProgress = (ev: { status: string; file?: string; progress?: number }) => {
      const key = `${ev.status}:${ev.file ?? ''}`;
      const step = ev.progress === undefined ? -1 : Math.floor(ev.progress / 10);
      if (seen.get(key) === step) return;
      seen.set(key, step);
      ctx.log.info(
        { model: o.model, status: ev.status, file: ev.file, progress: ev.progress },
        'model load progress',
      );
    };
    const LocalWithHooks = Local as unknown as new (o: Record<string, unknown>, hooks: unknown) => unknown;
    return asAdapter(new LocalWithHooks(opts, { onProgress }), 'local-transformers');
  },
});

/** An in-memory engine (MockAdapter): for tests, demos and the daemon's own benchmarks. */
export const mockPlugin = defineAdapter({
  name: 'mock',
  configSchema: z
    .object({
      model: z.string().min(1).optional(),
      tokens: z.array(z.string()).min(1).max(1_000_000).optional(),
      token_delay_ms: z.number().int().min(0).optional(),
      first_token_delay_ms: z.number().int().min(0).optional(),
      health: z.enum(['healthy', 'degraded', 'unhealthy']).optional(),
    })
    .strict(),
  async create(ctx) {
    const Mock = await importAdapterClass('@orch/adapter-api/testing', 'MockAdapter');
    const o = ctx.options;
    const opts: Record<string, unknown> = { id: ctx.adapterId, slots: ctx.replica.max_concurrent };
    if (o.model) opts.model = o.model;
    if (o.tokens) opts.tokens = o.tokens;
    if (o.token_delay_ms !== undefined) opts.tokenDelayMs = o.token_delay_ms;
    if (o.first_token_delay_ms !== undefined) opts.firstTokenDelayMs = o.first_token_delay_ms;
    if (o.health) opts.health = o.health;
    return asAdapter(new Mock(opts), 'mock');
  },
});

export function builtinPlugins(): AdapterPlugin[] {
  return [
    tgiHttpPlugin as AdapterPlugin,
    hfInferencePlugin as AdapterPlugin,
    localTransformersPlugin as AdapterPlugin,
    mockPlugin as AdapterPlugin,
  ];
}
