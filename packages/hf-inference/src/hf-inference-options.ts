import { invalidRequestFromZod, TimeoutsSchema } from '@orch/adapter-api';
import type {
  ApiKeySource,
  BreakerOptions,
  HttpClientOptions,
  HttpHooks,
  RetryPolicyOptions,
} from '@orch/http-util';
import type { Dispatcher } from 'undici';
import { z } from 'zod';

export const DEFAULT_ROUTER_URL = 'https://router.huggingface.co';
/** The serverless (HF Inference provider) text-generation API lives under the router since 2025. */
export const DEFAULT_SERVERLESS_URL = 'https://router.huggingface.co/hf-inference';

export type HfInferenceMode = 'router' | 'serverless' | 'endpoint';

export interface LoadingWaitOptions {
  /** Longest total wait for a loading model before MODEL_LOADING is reported. Default 120000 ms. */
  maxWaitMs?: number;
  /** Shortest pause between attempts, whatever `estimated_time` says. Default 1000 ms. */
  minDelayMs?: number;
  /** Longest single pause. Default 30000 ms. */
  maxDelayMs?: number;
}

/** The transport options passed through to @orch/http-util as they are. */
type TransportOptions = Pick<
  HttpClientOptions,
  | 'dispatcher'
  | 'connections'
  | 'keepAliveTimeoutMs'
  | 'connectTimeoutMs'
  | 'headersTimeoutMs'
  | 'bodyTimeoutMs'
  | 'maxLineBytes'
  | 'retry'
  | 'breaker'
  | 'hooks'
>;

/** Options of `new HfInferenceAdapter(...)`. Validated with zod; a bad field throws INVALID_REQUEST naming it. */
export interface HfInferenceOptions extends TransportOptions {
  /** Hub model id; in router mode it may carry `:provider` or a policy (`:fastest`, `:cheapest`). */
  model: string;
  /** The HF token (the daemon reads HF_TOKEN; this adapter reads no env), or a function yielding it. */
  apiKey?: ApiKeySource;
  /** Router default https://router.huggingface.co; serverless default …/hf-inference; required for endpoint. */
  baseUrl?: string;
  mode?: HfInferenceMode;
  /** Router mode: a provider (`together`, `groq`, ...) or policy appended as `model:provider`. */
  provider?: string;
  /** Organisation billed for the calls (`X-HF-Bill-To`). */
  billTo?: string;
  headers?: Record<string, string>;
  /** Fields merged into every request body (provider-specific extensions). */
  extraBody?: Record<string, unknown>;
  id?: string;
  /** Serverless: ask the API to hold the request while the model loads (default false: orch waits itself). */
  waitForModel?: boolean;
  /** Serverless: allow HF's response cache (default false: sampled answers must not repeat). */
  useCache?: boolean;
  /** How a loading model (503 with estimated_time) is waited out. */
  loading?: LoadingWaitOptions;
  /** health() results are reused for this long, so probes don't spend quota. Default 30000 ms. */
  healthIntervalMs?: number;
  /** A probe slower than this reports `degraded`. Default 2000 ms. */
  healthSlowMs?: number;
  /** Endpoint mode: the TGI route choice, as in tgi-http. */
  route?: 'auto' | 'generate' | 'chat';
  /** Deadlines applied to tasks that set none. */
  defaultTimeouts?: z.input<typeof TimeoutsSchema>;
}

const positiveMs = z.number().int().positive();
const header = z.string().regex(/^[^\r\n]*$/, 'header values may not contain line breaks');

const OptionsSchema = z
  .object({
    model: z.string().min(1).max(256),
    apiKey: z.custom<ApiKeySource>((v) => typeof v === 'string' || typeof v === 'function').optional(),
    baseUrl: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'only http and https are supported')
      .optional(),
    mode: z.enum(['router', 'serverless', 'endpoint']).default('router'),
    provider: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'a provider name or policy such as together, fastest, cheapest')
      .optional(),
    billTo: header.min(1).optional(),
    headers: z.record(z.string(), header).optional(),
    extraBody: z.record(z.string(), z.unknown()).optional(),
    id: z.string().min(1).optional(),
    waitForModel: z.boolean().default(false),
    useCache: z.boolean().default(false),
    loading: z
      .object({
        maxWaitMs: z.number().int().nonnegative().optional(),
        minDelayMs: positiveMs.optional(),
        maxDelayMs: positiveMs.optional(),
      })
      .strict()
      .optional(),
    healthIntervalMs: z.number().int().nonnegative().default(30_000),
    healthSlowMs: positiveMs.default(2000),
    route: z.enum(['auto', 'generate', 'chat']).optional(),
    defaultTimeouts: TimeoutsSchema.optional(),
    dispatcher: z.custom<Dispatcher>((v) => typeof v === 'object' && v !== null).optional(),
    connections: z.number().int().positive().optional(),
    keepAliveTimeoutMs: positiveMs.optional(),
    connectTimeoutMs: positiveMs.optional(),
    headersTimeoutMs: positiveMs.optional(),
    bodyTimeoutMs: positiveMs.optional(),
    maxLineBytes: z.number().int().positive().optional(),
    retry: z
      .union([z.literal(false), z.custom<RetryPolicyOptions>((v) => typeof v === 'object' && v !== null)])
      .optional(),
    breaker: z
      .union([z.literal(false), z.custom<BreakerOptions>((v) => typeof v === 'object' && v !== null)])
      .optional(),
    hooks: z.custom<HttpHooks>((v) => typeof v === 'object' && v !== null).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.mode === 'endpoint' && o.baseUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'endpoint mode needs the endpoint URL' });
    }
    if (o.provider !== undefined && o.mode !== 'router') {
      ctx.addIssue({ code: 'custom', path: ['provider'], message: 'provider applies to router mode only' });
    }
    if (o.provider !== undefined && modelSuffix(o.model) !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['provider'],
        message: 'the model already names a provider or policy',
      });
    }
  });

export type ResolvedOptions = z.output<typeof OptionsSchema>;

/** The `:provider` / `:policy` suffix of a Hub model id, if it has one (`org/name:together`). */
export function modelSuffix(model: string): string | undefined {
  const colon = model.indexOf(':', model.lastIndexOf('/') + 1);
  return colon > 0 ? model.slice(colon + 1) : undefined;
}

/** Validates constructor options; throws INVALID_REQUEST naming the field (`options.<field>`). */
export function resolveOptions(input: HfInferenceOptions): ResolvedOptions {
  const parsed = OptionsSchema.safeParse(input);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error, 'options.');
  return parsed.data;
}
