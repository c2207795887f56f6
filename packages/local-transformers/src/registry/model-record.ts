import { z } from 'zod';

/** Pipeline tasks the registry runs. `sentiment-analysis` is transformers' alias of text-classification. */
export const TASKS = [
  'text-generation',
  'conversational',
  'text2text-generation',
  'summarization',
  'translation',
  'question-answering',
  'fill-mask',
  'sentiment-analysis',
  'text-classification',
] as const;
export type Task = (typeof TASKS)[number];

/** Tasks one loaded model can serve, by its model_type. */
const FAMILIES: readonly (readonly Task[])[] = [
  ['text-generation', 'conversational'],
  ['text2text-generation', 'summarization', 'translation'],
  ['question-answering'],
  ['fill-mask'],
  ['sentiment-analysis', 'text-classification'],
];

export function compatibleTasks(modelType: Task): readonly Task[] {
  return FAMILIES.find((f) => f.includes(modelType)) ?? [modelType];
}

/** The transformers.js pipeline that implements a task. */
export function pipelineTaskOf(task: Task): string {
  if (task === 'conversational') return 'text-generation';
  if (task === 'sentiment-analysis') return 'text-classification';
  return task;
}

export const MODEL_STATUSES = ['available', 'loaded', 'error', 'disabled'] as const;

const ParameterValue = z.union([z.string(), z.number(), z.boolean()]);

export const ModelRecordSchema = z
  .object({
    model_id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]*$/, 'model_id may hold letters, digits and . _ - / only'),
    name: z.string().min(1).max(200),
    model_type: z.enum(TASKS),
    /** Folder name under modelsDir, a path to a model folder, or a hub id (allowRemote only). */
    source: z.string().min(1),
    description: z.string().max(2_000).default(''),
    /** Default generation/pipeline parameters, merged under each call's own. */
    parameters: z.record(z.string(), ParameterValue).default({}),
    added_date: z.iso.datetime(),
    last_used: z.iso.datetime().nullable(),
    usage_count: z.number().int().nonnegative(),
    status: z.enum(MODEL_STATUSES),
    status_message: z.string().optional(),
  })
  .strict();
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

export const RegistryFileSchema = z
  .object({
    version: z.literal(1),
    models: z.array(ModelRecordSchema),
  })
  .strict();
export type RegistryFile = z.infer<typeof RegistryFileSchema>;

export const AddModelSchema = ModelRecordSchema.pick({
  model_id: true,
  name: true,
  model_type: true,
  description: true,
  parameters: true,
})
  .extend({ source: z.string().min(1).optional(), status: z.enum(['available', 'disabled']).optional() })
  .strict();
export type AddModelInput = z.input<typeof AddModelSchema>;

/** Fields a caller may never change after add. */
export const PROTECTED_FIELDS = ['model_id', 'added_date', 'usage_count'] as const;

export const UpdateModelSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    model_type: z.enum(TASKS).optional(),
    source: z.string().min(1).optional(),
    description: z.string().max(2_000).optional(),
    parameters: z.record(z.string(), ParameterValue).optional(),
    status: z.enum(['available', 'disabled']).optional(),
  })
  .strict();
export type UpdateModelInput = z.input<typeof UpdateModelSchema>;
