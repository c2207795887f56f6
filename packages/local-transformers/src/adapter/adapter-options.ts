import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEVICES } from '../engine/worker-protocol.js';

/** The models the package builds (`pnpm models:build`), next to dist/ and src/. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../models', import.meta.url));
export const DEFAULT_MODEL = 'orch-tiny-llama';

export const LocalTransformersOptionsSchema = z
  .object({
    /** Folder name under modelsDir, a path to a model folder, or (allowRemote) a hub model id. */
    model: z.string().min(1).default(DEFAULT_MODEL),
    modelsDir: z.string().min(1).default(DEFAULT_MODELS_DIR),
    /** Where hub downloads go (allowRemote only). */
    cacheDir: z.string().min(1).optional(),
    allowRemote: z.boolean().default(false),
    device: z.enum(DEVICES).default('cpu'),
    /** transformers.js dtype: fp32 → onnx/model.onnx, q8 → model_quantized.onnx, fp16, q4, ... */
    dtype: z.string().min(1).optional(),
    /** Worker threads (= concurrent generations); each holds its own copy of the model. */
    workers: z.number().int().min(1).max(64).default(1),
    /** onnxruntime threads per worker; default: the machine's cores divided among the workers. */
    threadsPerWorker: z.number().int().min(1).max(256).optional(),
    /** Jobs that may wait for a free worker before new ones are refused with OVERLOADED. */
    maxQueue: z.number().int().min(0).max(100_000).default(16),
    /** Models kept loaded when tasks name other models than `model` (least recently used unloaded). */
    maxLoadedModels: z.number().int().min(1).max(64).default(2),
    /** max_tokens when a task sets none. */
    defaultMaxTokens: z.number().int().positive().default(256),
    /** How long a cancelled job may take to stop before its worker is terminated and replaced. */
    cancelGraceMs: z.number().int().positive().default(2_000),
    maxRestarts: z.number().int().min(0).default(16),
    /** A model that failed to load is tried again on use after this long. */
    retryLoadMs: z.number().int().nonnegative().default(10_000),
    id: z.string().min(1).optional(),
  })
  .strict();

export type LocalTransformersOptionsInput = z.input<typeof LocalTransformersOptionsSchema>;
export type LocalTransformersOptions = z.output<typeof LocalTransformersOptionsSchema>;
