// What the local model API needs from the model registry (packages/local-transformers). Kept narrow
// so the routes can be tested against an in-memory implementation and wired to the real registry by
// a small adapter. Errors: throw OrchError NOT_FOUND (→ 404) or INVALID_REQUEST (→ 400); anything
// else is a 500.
import { z } from 'zod';

export const PIPELINE_TASKS = [
  'text-generation',
  'text2text-generation',
  'summarization',
  'translation',
  'question-answering',
  'fill-mask',
  'sentiment-analysis',
  'text-classification',
  'conversational',
] as const;
export type PipelineTask = (typeof PIPELINE_TASKS)[number];

export interface LocalModelRecord {
  model_id: string;
  name: string;
  model_type: string;
  description: string;
  parameters: Record<string, unknown>;
  added_date: string;
  last_used: string | null;
  usage_count: number;
  status: string;
  /** Where the model's files come from (folder name, path or hub id). */
  source?: string;
  status_message?: string;
}

const ModelId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'model_id may hold letters, digits and . _ - / only')
  .refine((s) => !s.includes('..') && !s.endsWith('/'), 'model_id may not contain .. or end with /');

const Parameters = z.record(z.string(), z.unknown());

export const NewModelBody = z.object({
  model_id: ModelId,
  name: z.string().min(1).max(256).optional(),
  model_type: z.string().min(1).max(64),
  description: z.string().max(4096).optional(),
  parameters: Parameters.optional(),
  source: z.string().min(1).max(1024).optional(),
  status: z.enum(['available', 'disabled']).optional(),
});
export type NewModel = z.infer<typeof NewModelBody>;

export const PROTECTED_FIELDS = ['model_id', 'added_date', 'usage_count'] as const;

export const UpdateModelBody = z
  .object({
    name: z.string().min(1).max(256).optional(),
    model_type: z.string().min(1).max(64).optional(),
    description: z.string().max(4096).optional(),
    parameters: Parameters.optional(),
    source: z.string().min(1).max(1024).optional(),
    status: z.enum(['available', 'disabled']).optional(),
  })
  .strict();
export type ModelUpdate = z.infer<typeof UpdateModelBody>;

export const LoadBody = z.object({ force_reload: z.boolean().optional() }).optional();

export const GenerateBody = z
  .object({
    model_id: ModelId,
    prompt: z.string().optional(),
    inputs: z.string().optional(),
    parameters: Parameters.optional(),
  })
  .refine((b) => (b.prompt ?? b.inputs) !== undefined, { path: ['prompt'], message: 'prompt is required' });
export type LocalGenerateRequest = { model_id: string; prompt: string; parameters: Record<string, unknown> };

export const PipelineBody = z.object({
  task: z.enum(PIPELINE_TASKS),
  model_id: ModelId.optional(),
  inputs: z.unknown().refine((v) => v !== undefined && v !== null, 'inputs is required'),
  parameters: Parameters.optional(),
});
export type LocalPipelineRequest = {
  task: PipelineTask;
  model_id?: string;
  inputs: unknown;
  parameters: Record<string, unknown>;
};

export interface LocalModelService {
  list(filter: { model_type?: string }): Promise<LocalModelRecord[]>;
  get(modelId: string): Promise<LocalModelRecord | undefined>;
  add(model: NewModel): Promise<LocalModelRecord>;
  update(modelId: string, update: ModelUpdate): Promise<LocalModelRecord>;
  remove(modelId: string): Promise<void>;
  /** Loads into memory; returns what the registry reports about the load (device, timings...). */
  load(modelId: string, options: { force_reload: boolean }): Promise<Record<string, unknown>>;
  /** Returns at least `generated_text`. */
  generate(request: LocalGenerateRequest): Promise<Record<string, unknown>>;
  /** The task's own output shape (labels and scores, answer spans, ...). */
  pipeline(request: LocalPipelineRequest): Promise<unknown>;
  cacheInfo(): Promise<Record<string, unknown>>;
  /** Clears one model or all; returns the ids that were unloaded. */
  clearCache(modelId?: string): Promise<string[]>;
  statistics(): Promise<Record<string, unknown>>;
  modelTypes(): Promise<string[]>;
  dependencies(): Promise<Record<string, unknown>>;
}
