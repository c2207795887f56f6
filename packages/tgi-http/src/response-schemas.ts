import { z } from 'zod';

// Non-stream bodies arrive once per job, so a full (lenient) zod validation is affordable here.

export const TgiTokenSchema = z.looseObject({
  id: z.number().int(),
  text: z.string(),
  // NaN serialises as null (seen on EOS tokens).
  logprob: z.number().nullable().optional(),
  special: z.boolean().optional(),
});

export type TgiToken = z.infer<typeof TgiTokenSchema>;

export const GenerateResponseSchema = z.looseObject({
  generated_text: z.string(),
  details: z
    .looseObject({
      finish_reason: z.string(),
      generated_tokens: z.number().int().nonnegative(),
      tokens: z.array(TgiTokenSchema).optional(),
      // One list per generated token, only when top_n_tokens > 0 (TGI leaves the key out otherwise).
      top_tokens: z.array(z.array(TgiTokenSchema)).optional(),
    })
    .nullish(),
});
export type GenerateResponse = z.infer<typeof GenerateResponseSchema>;

const ToolCallSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).nullish(),
  type: z.string().nullish(),
  function: z.looseObject({
    name: z.string(),
    // TGI sends a JSON string; some OpenAI-compatible servers send the object itself.
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  }),
});

export const ChatCompletionSchema = z.looseObject({
  model: z.string().nullish(),
  system_fingerprint: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().optional(),
        message: z.looseObject({
          role: z.string().optional(),
          content: z.string().nullish(),
          tool_calls: z.array(ToolCallSchema).nullish(),
        }),
        logprobs: z
          .looseObject({
            content: z
              .array(
                z.looseObject({
                  token: z.string(),
                  logprob: z.number().nullable(),
                  top_logprobs: z
                    .array(z.looseObject({ token: z.string(), logprob: z.number().nullable() }))
                    .nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .looseObject({
      prompt_tokens: z.number().int().nonnegative().optional(),
      completion_tokens: z.number().int().nonnegative().optional(),
    })
    .nullish(),
});
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;
