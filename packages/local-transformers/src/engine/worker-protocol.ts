import { z } from 'zod';

/**
 * Messages between the adapter (main thread) and a generation worker. Messages from the worker are
 * checked with zod on arrival: a worker runs third-party model code, so its output is external input.
 */

export const DEVICES = ['cpu', 'cuda', 'auto'] as const;
export type Device = (typeof DEVICES)[number];

/** Test-only engine faults, used by the conformance harness to produce hung or broken workers. */
export const WORKER_FAULTS = [
  'hang-before-first-token',
  'hang-after-first-token',
  'fail-after-first-token',
  'crash-after-first-token',
  /** Blocks the worker thread forever: it can no longer see a cancel, so it must be terminated. */
  'spin-after-first-token',
] as const;
export type WorkerFault = (typeof WORKER_FAULTS)[number];

export interface LoadRequest {
  type: 'load';
  /** A folder name under modelsDir, an absolute/./relative path, or a hub id (allowRemote only). */
  model: string;
  modelsDir: string;
  cacheDir?: string;
  allowRemote: boolean;
  device: Device;
  dtype?: string;
  /** onnxruntime intra-op threads for this worker's session. */
  threads?: number;
}

export interface ChatMessage {
  role: string;
  content: string;
}

export interface GenerateRequest {
  type: 'generate';
  seq: number;
  prompt?: string;
  messages?: ChatMessage[];
  maxNewTokens: number;
  doSample: boolean;
  temperature?: number;
  topP?: number;
  topK?: number;
  repetitionPenalty?: number;
  /** Seeds transformers.js' MT19937 before sampling. */
  seed?: number;
  stop: string[];
  fault?: WorkerFault;
}

export interface CancelRequest {
  type: 'cancel';
  seq: number;
}

export type ToWorker = LoadRequest | GenerateRequest | CancelRequest;

export const ModelInfoSchema = z.object({
  modelType: z.string(),
  eosTokenIds: z.array(z.number().int()),
  hasChatTemplate: z.boolean(),
  maxPositionEmbeddings: z.number().int().positive().optional(),
  device: z.string(),
  dtype: z.string(),
  loadMs: z.number().nonnegative(),
  transformersVersion: z.string(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

const ProgressSchema = z.object({
  status: z.string(),
  file: z.string().optional(),
  progress: z.number().optional(),
  loaded: z.number().optional(),
  total: z.number().optional(),
});
export type LoadProgress = z.infer<typeof ProgressSchema>;

export const TokenOutSchema = z.object({ id: z.number().int(), text: z.string(), special: z.boolean() });
export type TokenOut = z.infer<typeof TokenOutSchema>;

export const FINISH = ['stop', 'length', 'stop_sequence'] as const;

export const FromWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), event: ProgressSchema }),
  z.object({ type: z.literal('ready'), info: ModelInfoSchema }),
  z.object({ type: z.literal('load-error'), message: z.string(), notFound: z.boolean() }),
  z.object({
    type: z.literal('started'),
    seq: z.number().int(),
    promptTokens: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal('tokens'), seq: z.number().int(), tokens: z.array(TokenOutSchema) }),
  z.object({
    type: z.literal('end'),
    seq: z.number().int(),
    finishReason: z.enum(FINISH),
    text: z.string(),
    completionTokens: z.number().int().nonnegative(),
    /** Tokens not yet sent, delivered before the end. */
    tokens: z.array(TokenOutSchema),
  }),
  z.object({ type: z.literal('failed'), seq: z.number().int(), message: z.string() }),
  z.object({ type: z.literal('cancelled'), seq: z.number().int() }),
]);
export type FromWorker = z.infer<typeof FromWorkerSchema>;

/** Index of the cancel word in the worker's shared Int32Array: holds the seq of a cancelled job. */
export const CANCEL_SLOT = 0;
export const SHARED_WORDS = 1;
