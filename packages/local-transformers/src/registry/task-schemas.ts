import { z } from 'zod';
import type { Task } from './model-record.js';

const text = z.string().min(1).max(100_000);

const GenerationParameters = z
  .object({
    max_new_tokens: z.number().int().positive().max(100_000).optional(),
    do_sample: z.boolean().optional(),
    temperature: z.number().positive().max(100).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    top_k: z.number().int().positive().optional(),
    repetition_penalty: z.number().positive().optional(),
  })
  .strict();

const TextGenerationParameters = GenerationParameters.extend({
  return_full_text: z.boolean().optional(),
}).strict();

const NoParameters = z.object({}).strict();
const TopK = z.object({ top_k: z.number().int().positive().max(100).optional() }).strict();

const ChatMessage = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }).strict();

/** Inputs per task, in the Hugging Face Inference API style `{inputs, parameters}`. */
export const TaskInputSchemas = {
  'text-generation': z.object({ inputs: text, parameters: TextGenerationParameters.optional() }).strict(),
  conversational: z
    .object({ messages: z.array(ChatMessage).min(1), parameters: GenerationParameters.optional() })
    .strict(),
  'text2text-generation': z.object({ inputs: text, parameters: GenerationParameters.optional() }).strict(),
  summarization: z.object({ inputs: text, parameters: GenerationParameters.optional() }).strict(),
  translation: z.object({ inputs: text, parameters: GenerationParameters.optional() }).strict(),
  'question-answering': z
    .object({
      inputs: z.object({ question: text, context: text }).strict(),
      parameters: NoParameters.optional(),
    })
    .strict(),
  'fill-mask': z.object({ inputs: text, parameters: TopK.optional() }).strict(),
  'sentiment-analysis': z.object({ inputs: text, parameters: TopK.optional() }).strict(),
  'text-classification': z.object({ inputs: text, parameters: TopK.optional() }).strict(),
} satisfies Record<Task, z.ZodType>;

export type TaskInput<T extends Task> = z.input<(typeof TaskInputSchemas)[T]>;

const Generated = z.array(z.object({ generated_text: z.string() }));
const Label = z.object({ label: z.string(), score: z.number() });

/** What each task returns (worker output is checked against these before it reaches a caller). */
export const TaskOutputSchemas = {
  'text-generation': Generated,
  conversational: z.object({
    message: z.object({ role: z.literal('assistant'), content: z.string() }),
  }),
  'text2text-generation': Generated,
  summarization: z.array(z.object({ summary_text: z.string() })),
  translation: z.array(z.object({ translation_text: z.string() })),
  'question-answering': z.object({ answer: z.string(), score: z.number() }),
  'fill-mask': z.array(
    z.object({ score: z.number(), token: z.number().int(), token_str: z.string(), sequence: z.string() }),
  ),
  'sentiment-analysis': z.array(Label),
  'text-classification': z.array(Label),
} satisfies Record<Task, z.ZodType>;

export type TaskOutput<T extends Task> = z.output<(typeof TaskOutputSchemas)[T]>;
