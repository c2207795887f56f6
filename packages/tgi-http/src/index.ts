export { buildChatBody, type ChatParamsOptions, type ChatRequestBody, toChatRequest } from './chat-params.js';
export { chooseRoute, type RouteOption, type TgiRoute } from './choose-route.js';
export { mapTgiErrorResponse } from './error-response.js';
export {
  buildGenerateBody,
  DEFAULT_MAX_STOP_SEQUENCES,
  type GenerateParameters,
  toGenerateParameters,
  toTgiGrammar,
} from './generate-params.js';
export { normaliseGenerateFinish, parseGenerateStreamEvent, readToken } from './generate-stream-parser.js';
export { parseTgiInfo, type TgiInfo, TgiInfoSchema } from './info-parser.js';
export { chatCompletionEvents, generateResponseEvents } from './non-stream-events.js';
export { chatStreamError, normaliseChatFinish, OpenAiChatStreamParser } from './openai-chat-stream.js';
export { ChatCompletionSchema, GenerateResponseSchema } from './response-schemas.js';
export { codeForStatus, errorTypeFromMessage, tgiError } from './tgi-error.js';
export { TgiHttpAdapter, type TgiHttpAdapterOptions } from './tgi-http-adapter.js';
