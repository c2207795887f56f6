// The one door to tgi-http's wire code: Inference Endpoints run TGI, the serverless API runs TGI's
// generate route underneath, and the router speaks the same OpenAI chat stream as TGI's chat route.
// Reusing it here (instead of a copy) keeps one parser per wire format in the repo.
export {
  ChatCompletionSchema,
  chatCompletionEvents,
  type GenerateParameters,
  GenerateResponseSchema,
  generateResponseEvents,
  OpenAiChatStreamParser,
  parseGenerateStreamEvent,
  TgiHttpAdapter,
  type TgiHttpAdapterOptions,
  toGenerateParameters,
} from '@orch/tgi-http';
