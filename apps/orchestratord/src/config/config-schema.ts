import { z } from 'zod';

// The daemon's configuration file. Every object is strict: a misspelt key is an error, not a
// silently ignored setting. Secrets never appear here, only the names of env vars holding them.

const EnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable (letters, digits, _)');

const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'may hold letters, digits and . _ - (starting with a letter or digit)',
  );

export const TimeoutsConfigSchema = z
  .object({
    first_token_ms: z.number().int().positive().optional(),
    idle_ms: z.number().int().positive().optional(),
    total_ms: z.number().int().positive().optional(),
  })
  .strict();

export const QueueConfigSchema = z
  .object({
    capacity: z.number().int().min(1).max(1_000_000).default(256),
    policy: z.enum(['reject', 'drop-lru']).default('reject'),
    /**
     * Interactive jobs overtake a batch job only if they arrived less than this long after it, so
     * a steady stream of interactive work cannot starve batch. A day is as good as strict priority.
     */
    batch_max_wait_ms: z.number().int().min(0).max(86_400_000).default(30_000),
  })
  .strict();

export const HealthConfigSchema = z
  .object({
    interval_ms: z.number().int().min(10).default(5_000),
    timeout_ms: z.number().int().min(1).default(2_000),
    unhealthy_after: z.number().int().min(1).default(3),
    healthy_after: z.number().int().min(1).default(2),
  })
  .strict();

export const RetryConfigSchema = z
  .object({
    /** Attempts per job, the first included, before the first token. */
    max_attempts: z.number().int().min(1).max(10).default(3),
    /** How long a replica that answered 429/overloaded is skipped when it gave no Retry-After. */
    backpressure_cooldown_ms: z.number().int().min(0).max(60_000).default(250),
    /** Requeues after backpressure allowed per job before it fails as OVERLOADED. */
    max_requeues: z.number().int().min(0).max(10_000).default(100),
  })
  .strict();

export const BreakerConfigSchema = z
  .object({
    failure_threshold: z.number().int().min(1).default(5),
    cooldown_ms: z.number().int().min(0).default(30_000),
  })
  .strict();

export const ReplicaConfigSchema = z
  .object({
    id: Id,
    url: z.url().optional(),
    api_key_env: EnvName.optional(),
    max_concurrent: z.number().int().min(1).max(100_000).default(16),
    weight: z.number().positive().max(1000).default(1),
    /** Adapter-specific settings for this replica, checked by the adapter plugin's schema. */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const PoolConfigSchema = z
  .object({
    id: Id,
    adapter: z.string().min(1),
    /** Model ids this pool serves; '*' serves any model (and tasks without one). */
    models: z.array(z.string().min(1)).min(1).default(['*']),
    /** Lower is tried first when several pools serve a model. */
    priority: z.number().int().default(0),
    replicas: z.array(ReplicaConfigSchema).min(1),
    queue: QueueConfigSchema.default({ capacity: 256, policy: 'reject', batch_max_wait_ms: 30_000 }),
    timeouts: TimeoutsConfigSchema.default({}),
    health: HealthConfigSchema.default({
      interval_ms: 5_000,
      timeout_ms: 2_000,
      unhealthy_after: 3,
      healthy_after: 2,
    }),
    retry: RetryConfigSchema.default({ max_attempts: 3, backpressure_cooldown_ms: 250, max_requeues: 100 }),
    breaker: BreakerConfigSchema.default({ failure_threshold: 5, cooldown_ms: 30_000 }),
    /** Adapter-specific settings shared by the pool's replicas (replica options override). */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .superRefine((pool, ctx) => {
    const seen = new Set<string>();
    pool.replicas.forEach((r, i) => {
      if (seen.has(r.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['replicas', i, 'id'],
          message: `duplicate replica id '${r.id}'`,
        });
      }
      seen.add(r.id);
    });
  });

export const ServerConfigSchema = z
  .object({
    /** host:port; port 0 picks a free port. */
    addr: z.string().min(1).default('127.0.0.1:8080'),
    body_limit_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    /** Allow a non-loopback address with no bearer token configured. */
    allow_unauthenticated: z.boolean().default(false),
    shutdown_grace_ms: z.number().int().min(0).max(600_000).default(10_000),
  })
  .strict();

export const AuthConfigSchema = z
  .object({
    /** Env vars each holding one accepted bearer token (unset ones are skipped). */
    tokens_env: z.array(EnvName).default(['ORCHD_TOKEN']),
    admin_token_env: EnvName.default('ORCHD_ADMIN_TOKEN'),
    public_metrics: z.boolean().default(true),
    public_health: z.boolean().default(true),
  })
  .strict();

export const JobsConfigSchema = z
  .object({
    /** How long a finished job stays queryable by id. */
    retention_ms: z.number().int().min(0).default(300_000),
    max_retained: z.number().int().min(0).max(1_000_000).default(2_000),
  })
  .strict();

export const LogConfigSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export const LocalModelsConfigSchema = z
  .object({
    /** Serve the /api/huggingface model registry API (opened on first use). */
    enabled: z.boolean().default(true),
    /** The registry's JSON file (default ~/.orch/model-registry.json). */
    registry_path: z.string().min(1).optional(),
    models_dir: z.string().min(1).optional(),
    cache_dir: z.string().min(1).optional(),
    allow_remote: z.boolean().default(false),
  })
  .strict();

export const DaemonConfigSchema = z
  .object({
    server: ServerConfigSchema.default({
      addr: '127.0.0.1:8080',
      body_limit_bytes: 4 * 1024 * 1024,
      allow_unauthenticated: false,
      shutdown_grace_ms: 10_000,
    }),
    auth: AuthConfigSchema.default({
      tokens_env: ['ORCHD_TOKEN'],
      admin_token_env: 'ORCHD_ADMIN_TOKEN',
      public_metrics: true,
      public_health: true,
    }),
    jobs: JobsConfigSchema.default({ retention_ms: 300_000, max_retained: 2_000 }),
    log: LogConfigSchema.default({ level: 'info' }),
    local_models: LocalModelsConfigSchema.default({ enabled: true, allow_remote: false }),
    pools: z.array(PoolConfigSchema).min(1),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.pools.forEach((p, i) => {
      if (seen.has(p.id)) {
        ctx.addIssue({ code: 'custom', path: ['pools', i, 'id'], message: `duplicate pool id '${p.id}'` });
      }
      seen.add(p.id);
    });
  });

export type DaemonConfigInput = z.input<typeof DaemonConfigSchema>;
export type DaemonConfig = z.output<typeof DaemonConfigSchema>;
export type PoolConfig = z.output<typeof PoolConfigSchema>;
export type ReplicaConfig = z.output<typeof ReplicaConfigSchema>;
export type QueueConfig = z.output<typeof QueueConfigSchema>;
export type HealthConfig = z.output<typeof HealthConfigSchema>;
export type RetryConfig = z.output<typeof RetryConfigSchema>;
export type BreakerConfig = z.output<typeof BreakerConfigSchema>;
export type TimeoutsConfig = z.output<typeof TimeoutsConfigSchema>;
export type LocalModelsConfig = z.output<typeof LocalModelsConfigSchema>;
