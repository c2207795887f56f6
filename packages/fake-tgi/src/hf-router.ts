import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadBody } from './body-reader.js';
import { handleChat } from './chat-route.js';
import { type RouteContext, resolveConfig } from './context.js';
import { get, type Route, type ServerFlavor, startFakeServer } from './fake-server.js';
import type { FaultState } from './fault-state.js';
import { handleGenerate } from './generate-route.js';
import { sendJson } from './http-replies.js';
import { sleepUnlessGone } from './liveness.js';
import { handleOpenAiChat, type RouterConfig } from './openai-chat.js';
import { applyRouterPreFaults, type ErrorShape, sendRouterError } from './router-replies.js';
import { isObject } from './serde-check.js';
import type { FakeHfRouterOptions, FakeTgi } from './types.js';

/** `/models/{org}/{name}` (serverless text generation) and `/models/{org}/{name}/v1/chat/completions`. */
const SERVERLESS = /^\/(?:hf-inference\/)?models\/([^/]+\/[^/]+?|[^/]+?)(\/v1\/chat\/completions)?$/;

function estimated(t: number): string {
  return Number.isInteger(t) ? t.toFixed(1) : String(t);
}

/** Serverless model loading: 503 with estimated_time, unless the caller asked to wait for the model. */
async function loadingGate(ctx: RouteContext, model: string): Promise<boolean> {
  const loading = ctx.faults.take('modelLoading');
  if (loading === undefined) return false;
  const opts = isObject(ctx.body) && isObject(ctx.body.options) ? ctx.body.options : {};
  const wait = opts.wait_for_model === true || ctx.req.headers['x-wait-for-model'] === 'true';
  if (wait) {
    await sleepUnlessGone(ctx.live, loading.waitMs ?? 0);
    return ctx.live.gone();
  }
  // The serverless API always answers loading in this one shape, whatever the other errors look like.
  const message = JSON.stringify(`Model ${model} is currently loading`);
  sendJson(ctx.res, 503, `{"error":${message},"estimated_time":${estimated(loading.estimatedTime ?? 20)}}`);
  return true;
}

function serverless(model: string, chat: boolean, rc: RouterConfig): Route {
  return {
    method: 'POST',
    auth: true,
    json: true,
    async run(ctx) {
      if (!rc.models.includes(model)) {
        return sendRouterError(ctx.res, rc.shape, 404, `Model ${model} does not exist`, 'not_found');
      }
      if (await applyRouterPreFaults(ctx, rc.shape)) return;
      if (await loadingGate(ctx, model)) return;
      // HF serverless text generation is TGI underneath: same bodies and stream frames.
      return chat ? handleChat(ctx) : handleGenerate(ctx, 'compat');
    },
  };
}

function rejectBody(shape: ErrorShape) {
  return (_req: IncomingMessage, res: ServerResponse, body: ReadBody, faults: FaultState): boolean => {
    const forced = faults.take('plainTextError');
    if (forced !== undefined) {
      sendRouterError(res, shape, forced.status, 'Bad request', 'invalid_request_error');
      return true;
    }
    if (body.tooLarge) {
      sendRouterError(res, shape, 413, 'Payload too large', 'invalid_request_error');
      return true;
    }
    try {
      JSON.parse(body.raw);
    } catch {
      sendRouterError(res, shape, 400, 'Invalid JSON body', 'invalid_request_error');
      return true;
    }
    return false;
  };
}

/**
 * Starts a fake Hugging Face router on 127.0.0.1, port 0: OpenAI-compatible `/v1/chat/completions`
 * (Inference Providers), serverless `/models/{model}` (+ `/hf-inference/models/...`) with TGI frames and
 * model-loading 503s, and `/v1/models`. Same handle, recording and faults as `startFakeTgi`.
 */
export function startFakeHfRouter(opts: FakeHfRouterOptions = {}): Promise<FakeTgi> {
  const modelId = opts.modelId ?? 'fake-org/fake-model';
  const rc: RouterConfig = { shape: opts.errorShape ?? 'object', models: opts.models ?? [modelId] };
  const cfg = resolveConfig({
    modelId,
    apiKey: opts.apiKey,
    tokens: opts.tokens,
    eosText: opts.eosText,
    keepAliveMs: opts.keepAliveMs,
    payloadLimit: opts.payloadLimit,
  });
  const chat: Route = {
    method: 'POST',
    auth: true,
    json: true,
    async run(ctx) {
      if (await applyRouterPreFaults(ctx, rc.shape)) return;
      await handleOpenAiChat(ctx, rc);
    },
  };
  const models: Route = {
    ...get((ctx) => {
      const data = rc.models.map(
        (id) =>
          `{"id":${JSON.stringify(id)},"object":"model","created":0,"owned_by":${JSON.stringify(id.split('/')[0])},"providers":[{"provider":"fake","status":"live"}]}`,
      );
      sendJson(ctx.res, 200, `{"object":"list","data":[${data.join(',')}]}`);
    }),
    auth: true,
  };
  return startFakeServer(
    cfg,
    opts.faults,
    (): ServerFlavor => ({
      resolve(path) {
        if (path === '/v1/chat/completions') return [chat];
        if (path === '/v1/models') return [models];
        const m = SERVERLESS.exec(path);
        return m ? [serverless(decodeURIComponent(m[1]!), m[2] !== undefined, rc)] : undefined;
      },
      notFound: (res) => sendRouterError(res, rc.shape, 404, 'Not Found', 'not_found'),
      unauthorized: (res) =>
        sendRouterError(
          res,
          rc.shape,
          401,
          'Invalid credentials in Authorization header',
          'authentication_error',
        ),
      rejectBody: rejectBody(rc.shape),
    }),
  );
}
