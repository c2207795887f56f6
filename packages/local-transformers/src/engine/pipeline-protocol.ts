import { z } from 'zod';
import type { Device } from './worker-protocol.js';

export interface PipelineLoadRequest {
  type: 'load';
  /** Folder name under modelsDir, a path, or a hub id. */
  source: string;
  modelsDir: string;
  cacheDir?: string;
  allowRemote: boolean;
  device: Device;
  dtype?: string;
  /** The transformers.js pipeline task to load the model with. */
  task: string;
}

export interface PipelineRunRequest {
  type: 'run';
  seq: number;
  /** transformers.js pipeline task; compatible pipelines share the loaded model. */
  task: string;
  /** Positional arguments of the pipeline call (structured-clone safe). */
  args: unknown[];
}

export type ToPipelineWorker = PipelineLoadRequest | PipelineRunRequest;

export const FromPipelineWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), loadMs: z.number().nonnegative(), device: z.string() }),
  z.object({ type: z.literal('load-error'), message: z.string(), notFound: z.boolean() }),
  z.object({ type: z.literal('result'), seq: z.number().int(), output: z.unknown() }),
  z.object({ type: z.literal('failed'), seq: z.number().int(), message: z.string() }),
]);
export type FromPipelineWorker = z.infer<typeof FromPipelineWorkerSchema>;
