export { hfStreamError, mapHfErrorResponse, readHfErrorBody } from './hf-error.js';
export { BILL_TO_HEADER, HF_ENGINE, HfInferenceAdapter } from './hf-inference-adapter.js';
export {
  DEFAULT_ROUTER_URL,
  DEFAULT_SERVERLESS_URL,
  type HfInferenceMode,
  type HfInferenceOptions,
  type LoadingWaitOptions,
  modelSuffix,
} from './hf-inference-options.js';
export { LOADING_DEFAULTS, withLoadingWait } from './loading-waiter.js';
export {
  buildRouterBody,
  type RouterChatBody,
  routerModelId,
  toRouterResponseFormat,
} from './router-request.js';
export { buildServerlessBody, type ServerlessBody, serverlessPath } from './serverless-request.js';
