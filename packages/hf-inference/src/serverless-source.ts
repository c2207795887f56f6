import type { SourceContext, SourceEvent, SourceYield, TaskRequest } from '@orch/adapter-api';
import type { HttpClient, RetryPolicyOptions } from '@orch/http-util';
import { z } from 'zod';
import type { LoadingWaitOptions } from './hf-inference-options.js';
import { withLoadingWait } from './loading-waiter.js';
import { buildServerlessBody, serverlessPath } from './serverless-request.js';
import { GenerateResponseSchema, generateResponseEvents } from './shared-wire.js';
import { serverlessStep, sseJob } from './sse-job.js';

export const SERVERLESS_ENGINE_VERSION = 'hf-serverless';

// The compat route answers a one-element array; accept a bare object too (a TGI /generate behind it).
const ServerlessResponseSchema = z.union([z.array(GenerateResponseSchema).min(1), GenerateResponseSchema]);

export interface ServerlessSourceConfig {
  http: HttpClient;
  model: string;
  useCache: boolean;
  waitForModel: boolean;
  loading: LoadingWaitOptions;
  /** Policy for in-stream errors before the first token (the transport's own retry covers statuses). */
  retry: RetryPolicyOptions | false;
}

/**
 * One serverless job: `POST /models/{model}` with `{inputs, parameters, options, stream}`. The stream
 * is TGI's generate_stream framing, parsed by tgi-http's parser; a loading model (503 +
 * estimated_time) is waited out within the configured bound.
 */
export async function* serverlessSource(
  task: TaskRequest,
  ctx: SourceContext,
  cfg: ServerlessSourceConfig,
): AsyncGenerator<SourceYield, void, undefined> {
  const model = task.model ?? cfg.model;
  const path = serverlessPath(model);
  const body = buildServerlessBody(task, {
    stream: !ctx.nonStreaming,
    useCache: cfg.useCache,
    waitForModel: cfg.waitForModel,
  });
  const started: SourceEvent = { type: 'started', engine_version: SERVERLESS_ENGINE_VERSION, model };
  const waitCtx = { signal: ctx.cancel };
  if (ctx.nonStreaming) {
    const res = await withLoadingWait(
      () =>
        cfg.http.requestJson(path, {
          method: 'POST',
          body,
          signal: ctx.cancel,
          schema: ServerlessResponseSchema,
        }),
      cfg.loading,
      waitCtx,
    );
    const answer = Array.isArray(res.body) ? res.body[0]! : res.body;
    yield started;
    yield* generateResponseEvents(answer, res.headers);
    return;
  }
  yield started;
  yield* sseJob({
    open: () =>
      withLoadingWait(() => cfg.http.openSse(path, { body, signal: ctx.cancel }), cfg.loading, waitCtx),
    step: serverlessStep,
    retry: cfg.retry,
    signal: ctx.cancel,
  });
}
