// The TGI-compatible surface: /generate, /generate_stream, /info, /health, so TGI clients can point
// at the daemon. (/v1/completions and /v1/chat/completions, which TGI also serves, are openai.ts's.)
import type { ModelView, PoolView } from '../../core/orchestrator-types.js';
import { handleCompatRoot, handleGenerate, handleGenerateStream } from '../compat/tgi-generate.js';
import { sendTgiError } from '../compat/tgi-request.js';
import { sendJson } from '../respond.js';
import type { RouteHandler, RouteModule } from '../route-types.js';

const VERSION = '0.1.0';

function anyReady(pools: PoolView[]): boolean {
  return pools.some((p) => !p.draining && p.replicas.some((r) => r.state === 'ready'));
}

/** TGI's Info, describing the daemon's default model (the one a request without `model` gets). */
export function tgiInfo(models: ModelView[], pools: PoolView[]): Record<string, unknown> {
  const first = models[0];
  const props = first?.props;
  const concurrency = pools.reduce((n, p) => n + p.replicas.reduce((m, r) => m + r.maxConcurrent, 0), 0);
  const maxTotal = props?.maxTotalTokens ?? null;
  return {
    model_id: props?.modelId ?? first?.id ?? 'unknown',
    model_sha: null,
    model_pipeline_tag: 'text-generation',
    max_concurrent_requests: concurrency,
    max_best_of: 1,
    max_stop_sequences: 16,
    max_input_tokens: props?.maxInputTokens ?? (maxTotal === null ? null : Math.max(1, maxTotal - 1)),
    max_total_tokens: maxTotal,
    validation_workers: 1,
    max_client_batch_size: 1,
    router: 'orchestratord',
    version: VERSION,
    sha: null,
    docker_label: null,
  };
}

export const tgiRoutes: RouteModule = (routes, deps) => {
  routes.add('POST', '/generate', (req, res, ctx) => handleGenerate(req, res, ctx, deps));
  routes.add('POST', '/generate_stream', (req, res, ctx) => handleGenerateStream(req, res, ctx, deps));
  routes.add('POST', '/', (req, res, ctx) => handleCompatRoot(req, res, ctx, deps));

  routes.add(
    'GET',
    '/info',
    async (_req, res) => {
      try {
        const [models, pools] = [await deps.orchestrator.models(), deps.orchestrator.pools()];
        sendJson(res, 200, tgiInfo(models, pools));
      } catch (err) {
        sendTgiError(res, err);
      }
    },
    { auth: 'public' },
  );

  const health: RouteHandler = async (_req, res) => {
    if (deps.orchestrator.accepting && anyReady(deps.orchestrator.pools())) {
      // TGI answers a healthy check with an empty 200.
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    }
    sendJson(res, 503, { error: 'unhealthy', error_type: 'healthcheck' });
  };
  routes.add('GET', '/health', health, { auth: 'public' });
  routes.add('GET', '/ping', health, { auth: 'public' });
};
