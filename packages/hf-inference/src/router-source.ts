import type { SourceContext, SourceEvent, SourceYield, TaskRequest } from '@orch/adapter-api';
import type { HttpClient, RetryPolicyOptions } from '@orch/http-util';
import type { LoadingWaitOptions } from './hf-inference-options.js';
import { withLoadingWait } from './loading-waiter.js';
import { buildRouterBody } from './router-request.js';
import { ChatCompletionSchema, chatCompletionEvents } from './shared-wire.js';
import { routerStep, sseJob } from './sse-job.js';

export const ROUTER_CHAT_PATH = '/v1/chat/completions';
export const ROUTER_ENGINE_VERSION = 'hf-router-v1';

export interface RouterSourceConfig {
  http: HttpClient;
  model: string;
  provider: string | undefined;
  loading: LoadingWaitOptions;
  /** Policy for in-stream errors before the first token (the transport's own retry covers statuses). */
  retry: RetryPolicyOptions | false;
}

/**
 * One router job: OpenAI chat completions, streamed through the shared OpenAI chat-stream parser
 * (the same one tgi-http's chat route uses) or, for generate({stream:false}), one JSON answer.
 * A model still loading is waited out (bounded) before anything is streamed.
 */
export async function* routerSource(
  task: TaskRequest,
  ctx: SourceContext,
  cfg: RouterSourceConfig,
): AsyncGenerator<SourceYield, void, undefined> {
  const body = buildRouterBody(task, { model: cfg.model, provider: cfg.provider, stream: !ctx.nonStreaming });
  const started: SourceEvent = { type: 'started', engine_version: ROUTER_ENGINE_VERSION, model: body.model };
  const waitCtx = { signal: ctx.cancel };
  if (ctx.nonStreaming) {
    const res = await withLoadingWait(
      () =>
        cfg.http.requestJson(ROUTER_CHAT_PATH, {
          method: 'POST',
          body,
          signal: ctx.cancel,
          schema: ChatCompletionSchema,
        }),
      cfg.loading,
      waitCtx,
    );
    yield started;
    yield* chatCompletionEvents(res.body);
    return;
  }
  yield started;
  yield* sseJob({
    open: () =>
      withLoadingWait(
        () => cfg.http.openSse(ROUTER_CHAT_PATH, { body, signal: ctx.cancel }),
        cfg.loading,
        waitCtx,
      ),
    step: routerStep,
    retry: cfg.retry,
    signal: ctx.cancel,
  });
}
