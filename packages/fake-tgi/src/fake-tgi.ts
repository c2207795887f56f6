import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonContentType, jsonSyntaxText, type ReadBody } from './body-reader.js';
import { handleChat } from './chat-route.js';
import { handleCompletions } from './completions-route.js';
import { type RouteContext, resolveConfig } from './context.js';
import {
  get,
  post,
  type Route,
  type ServerFlavor,
  type ServerStats,
  startFakeServer,
} from './fake-server.js';
import type { FaultState } from './fault-state.js';
import { handleGenerate } from './generate-route.js';
import { PLAIN_TEXT, sendEmpty, sendJson, sendPlain } from './http-replies.js';
import { handleHealth, handleMetrics, handleModels, handleTokenize, infoJson } from './meta-routes.js';
import { isObject } from './serde-check.js';
import type { FakeTgi, FakeTgiOptions } from './types.js';

function invocations(ctx: RouteContext): Promise<void> {
  // SageMaker's route tries generate-compat, chat, then completions, by which field is present.
  const b = isObject(ctx.body) ? ctx.body : {};
  if ('inputs' in b) return handleGenerate(ctx, 'compat');
  if ('messages' in b) return handleChat(ctx);
  return handleCompletions(ctx);
}

function tgiRoutes(stats: ServerStats): Map<string, Route[]> {
  return new Map<string, Route[]>([
    ['/', [get(handleHealth), post((c) => handleGenerate(c, 'compat'))]],
    ['/health', [get(handleHealth)]],
    ['/ping', [get(handleHealth)]],
    ['/info', [get((c) => sendJson(c.res, 200, infoJson(c.cfg)))]],
    ['/v1/models', [get(handleModels)]],
    ['/metrics', [get((c) => handleMetrics(c, stats.generationRequests))]],
    ['/generate', [post((c) => handleGenerate(c, 'generate'))]],
    ['/generate_stream', [post((c) => handleGenerate(c, 'stream'))]],
    ['/v1/chat/completions', [post(handleChat)]],
    ['/v1/completions', [post(handleCompletions)]],
    ['/invocations', [post(invocations)]],
    ['/tokenize', [post(handleTokenize)]],
  ]);
}

/** axum's Json extractor: content type (415), size (413), syntax (400), all plain text. */
export function axumRejectBody(
  req: IncomingMessage,
  res: ServerResponse,
  body: ReadBody,
  faults: FaultState,
): boolean {
  const forced = faults.take('plainTextError');
  if (forced !== undefined) {
    sendPlain(res, forced.status, PLAIN_TEXT[forced.status]);
    return true;
  }
  if (!isJsonContentType(req.headers['content-type'])) {
    sendPlain(res, 415, PLAIN_TEXT[415]);
    return true;
  }
  if (body.tooLarge) {
    sendPlain(res, 413, PLAIN_TEXT[413]);
    return true;
  }
  try {
    JSON.parse(body.raw);
  } catch (e) {
    sendPlain(res, 400, jsonSyntaxText(body.raw, e));
    return true;
  }
  return false;
}

/** Starts a fake TGI server on 127.0.0.1, port 0. */
export function startFakeTgi(opts: FakeTgiOptions = {}): Promise<FakeTgi> {
  return startFakeServer(resolveConfig(opts), opts.faults, (stats): ServerFlavor => {
    const table = tgiRoutes(stats);
    return {
      resolve: (path) => table.get(path),
      notFound: (res) => sendEmpty(res, 404),
      unauthorized: (res) => sendEmpty(res, 401),
      rejectBody: axumRejectBody,
    };
  });
}
