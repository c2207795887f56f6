import type { RouteContext, ServerConfig } from './context.js';
import { parseGenerateRequest } from './generate-params.js';
import { sendEmpty, sendJson, sendPlain, sendTgiError } from './http-replies.js';
import { sleepUnlessGone } from './liveness.js';
import { DeserializeError, deserializeText } from './serde-check.js';
import { tokenize } from './tokenizer.js';

/** GET /info, fields in TGI's order; pre-2.1 names when `legacyInfo`. */
export function infoJson(cfg: ServerConfig): string {
  const l = cfg.limits;
  const info: Record<string, unknown> = cfg.legacyInfo
    ? {
        model_id: cfg.modelId,
        model_sha: null,
        model_dtype: 'torch.float16',
        model_device_type: 'cuda',
        model_pipeline_tag: cfg.pipelineTag,
        max_concurrent_requests: cfg.maxConcurrentRequests ?? 128,
        max_best_of: l.maxBestOf,
        max_stop_sequences: l.maxStopSequences,
        max_input_length: l.maxInputTokens,
        max_total_tokens: l.maxTotalTokens,
        waiting_served_ratio: 1.2,
        max_batch_total_tokens: 16000,
        max_waiting_tokens: 20,
        max_batch_size: null,
        validation_workers: 2,
        max_client_batch_size: 4,
        router: 'text-generation-router',
        version: cfg.version,
        sha: null,
        docker_label: cfg.dockerLabel,
      }
    : {
        model_id: cfg.modelId,
        model_sha: null,
        model_pipeline_tag: cfg.pipelineTag,
        max_concurrent_requests: cfg.maxConcurrentRequests ?? 128,
        max_best_of: l.maxBestOf,
        max_stop_sequences: l.maxStopSequences,
        max_input_tokens: l.maxInputTokens,
        max_total_tokens: l.maxTotalTokens,
        validation_workers: 2,
        max_client_batch_size: 4,
        router: 'text-generation-router',
        version: cfg.version,
        sha: null,
        docker_label: cfg.dockerLabel,
      };
  return JSON.stringify(info);
}

/** GET /health, /ping and GET /: empty 200, or 503 healthcheck when the `unhealthy` fault is set. */
export async function handleHealth(ctx: RouteContext): Promise<void> {
  const delay = ctx.faults.peek('healthDelayMs') ?? 0;
  if (delay > 0) {
    await sleepUnlessGone(ctx.live, delay);
    if (ctx.live.gone()) return;
  }
  if (ctx.faults.peek('unhealthy')) return sendTgiError(ctx.res, 503, 'unhealthy', 'healthcheck');
  sendEmpty(ctx.res, 200);
}

export function handleModels(ctx: RouteContext): void {
  const id = JSON.stringify(ctx.cfg.modelId);
  sendJson(
    ctx.res,
    200,
    `{"object":"list","data":[{"id":${id},"object":"model","created":0,"owned_by":${id}}]}`,
  );
}

/** POST /tokenize: `[{id,text,start,stop}]` from the fake word tokenizer. */
export function handleTokenize(ctx: RouteContext): void {
  try {
    const p = parseGenerateRequest(ctx.body, ctx.rawBody);
    sendJson(ctx.res, 200, JSON.stringify(tokenize(p.inputs)));
  } catch (e) {
    if (!(e instanceof DeserializeError)) throw e;
    sendPlain(ctx.res, 422, deserializeText(e, ctx.rawBody));
  }
}

export function handleMetrics(ctx: RouteContext, requestCount: number): void {
  const text = `# TYPE tgi_request_count counter\ntgi_request_count ${requestCount}\n`;
  const body = Buffer.from(text);
  ctx.res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4',
    'content-length': String(body.length),
  });
  ctx.res.end(body);
}
