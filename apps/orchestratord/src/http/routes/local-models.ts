// The local model API (`/api/huggingface/*`) over the local-transformers model registry. Responses
// are `{success:true, ...}` or `{success:false, error}` with 400 (bad input, naming the field), 404
// (no such model) or 500. Registry writes and cache clearing are admin routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidRequestFromZod, isOrchError, OrchError } from '@orch/adapter-api';
import type { z } from 'zod';
import {
  GenerateBody,
  LoadBody,
  type LocalModelService,
  NewModelBody,
  PipelineBody,
  PROTECTED_FIELDS,
  UpdateModelBody,
} from '../compat/local-model-service.js';
import { sendJson } from '../respond.js';
import type { RequestContext, RouteHandler, RouteModule, RouteModuleDeps } from '../route-types.js';

export type { LocalModelService } from '../compat/local-model-service.js';

/** What the core passes when a model registry is configured. */
export type LocalModelDeps = RouteModuleDeps & { localModels?: LocalModelService };

const BASE = '/api/huggingface';

function sendFailure(res: ServerResponse, err: unknown, log: RequestContext['log']): void {
  if (isOrchError(err) && (err.code === 'INVALID_REQUEST' || err.code === 'UNSUPPORTED')) {
    const status = err.status === 413 ? 413 : 400;
    sendJson(res, status, { success: false, error: err.message, ...(err.field ? { field: err.field } : {}) });
    return;
  }
  if (isOrchError(err) && err.code === 'NOT_FOUND') {
    sendJson(res, 404, { success: false, error: err.message });
    return;
  }
  // Internal details stay in the log; the client gets a stable message.
  log.error({ err }, 'local model API failure');
  const message = err instanceof Error ? err.message : 'Internal error';
  sendJson(res, 500, { success: false, error: message });
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidRequestFromZod(r.error);
  return r.data;
}

function objectBody(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OrchError('INVALID_REQUEST', 'The body must be a JSON object', {
      field: '(body)',
      status: 400,
    });
  }
  return value as Record<string, unknown>;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

function notFound(modelId: string): OrchError {
  return new OrchError('NOT_FOUND', `Model ${modelId} not found`, { field: 'model_id', status: 404 });
}

/** The routes over a given service (tests pass an in-memory one; the daemon the registry's). */
export function createLocalModelRoutes(service: LocalModelService): RouteModule {
  return mount(service);
}

function mount(maybeService: LocalModelService | undefined): RouteModule {
  return (routes, deps) => {
    const add = (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      path: string,
      auth: 'user' | 'admin',
      fn: (
        ctx: RequestContext,
        req: IncomingMessage,
      ) => Promise<{ status?: number; body: Record<string, unknown> }>,
    ) => {
      const handler: RouteHandler = async (req, res, ctx) => {
        if (!maybeService) {
          sendJson(res, 503, {
            success: false,
            error: 'The local model registry is not enabled in this daemon',
          });
          return;
        }
        try {
          const out = await fn(ctx, req);
          sendJson(res, out.status ?? 200, { success: true, ...out.body });
        } catch (err) {
          sendFailure(res, err, ctx.log ?? deps.log);
        }
      };
      routes.add(method, `${BASE}${path}`, handler, { auth });
    };
    const id = (ctx: RequestContext) => ctx.params.model_id ?? '';
    // Only reached through handlers, which answer 503 first when there is no service.
    const service = maybeService as LocalModelService;

    add('GET', '/models', 'user', async (ctx) => {
      const type = ctx.query.get('type') ?? ctx.query.get('model_type') ?? undefined;
      const models = await service.list(type ? { model_type: type } : {});
      return { body: { models, count: models.length } };
    });

    add('POST', '/models', 'admin', async (ctx) => {
      const body = parse(NewModelBody, objectBody(await ctx.json()));
      if (await service.get(body.model_id)) {
        throw new OrchError('INVALID_REQUEST', `Model ${body.model_id} already exists`, {
          field: 'model_id',
        });
      }
      const model = await service.add(body);
      return { status: 201, body: { message: `Model ${model.model_id} added`, model } };
    });

    add('GET', '/models/:model_id', 'user', async (ctx) => {
      const model = await service.get(id(ctx));
      if (!model) throw notFound(id(ctx));
      return { body: { model } };
    });

    add('PUT', '/models/:model_id', 'admin', async (ctx) => {
      const raw = objectBody(await ctx.json());
      const locked = PROTECTED_FIELDS.find((f) => f in raw);
      if (locked) {
        throw new OrchError('INVALID_REQUEST', `${locked} is a protected field and cannot be updated`, {
          field: locked,
        });
      }
      const update = parse(UpdateModelBody, raw);
      if (!(await service.get(id(ctx)))) throw notFound(id(ctx));
      const model = await service.update(id(ctx), update);
      return { body: { message: `Model ${model.model_id} updated`, model } };
    });

    add('DELETE', '/models/:model_id', 'admin', async (ctx) => {
      if (!(await service.get(id(ctx)))) throw notFound(id(ctx));
      await service.remove(id(ctx));
      return { body: { message: `Model ${id(ctx)} removed` } };
    });

    add('POST', '/models/:model_id/load', 'admin', async (ctx, req) => {
      // The body is optional here: a bare POST loads with the defaults.
      const raw = hasBody(req) ? await ctx.json() : undefined;
      const body = parse(LoadBody, raw === undefined ? undefined : objectBody(raw));
      if (!(await service.get(id(ctx)))) throw notFound(id(ctx));
      const info = await service.load(id(ctx), { force_reload: body?.force_reload ?? false });
      return { body: { message: `Model ${id(ctx)} loaded`, model_id: id(ctx), ...info } };
    });

    add('POST', '/generate', 'user', async (ctx) => {
      const body = parse(GenerateBody, objectBody(await ctx.json()));
      if (!(await service.get(body.model_id))) throw notFound(body.model_id);
      const prompt = body.prompt ?? body.inputs ?? '';
      const result = await service.generate({
        model_id: body.model_id,
        prompt,
        parameters: body.parameters ?? {},
      });
      return { body: { model_id: body.model_id, ...result } };
    });

    add('POST', '/pipeline', 'user', async (ctx) => {
      const body = parse(PipelineBody, objectBody(await ctx.json()));
      if (body.model_id !== undefined && !(await service.get(body.model_id))) throw notFound(body.model_id);
      const result = await service.pipeline({
        task: body.task,
        inputs: body.inputs,
        parameters: body.parameters ?? {},
        ...(body.model_id !== undefined ? { model_id: body.model_id } : {}),
      });
      return { body: { task: body.task, ...(body.model_id ? { model_id: body.model_id } : {}), result } };
    });

    add('GET', '/cache', 'user', async () => ({ body: { cache: await service.cacheInfo() } }));

    add('DELETE', '/cache', 'admin', async (ctx) => {
      const modelId = ctx.query.get('model_id') ?? undefined;
      if (modelId !== undefined && !(await service.get(modelId))) throw notFound(modelId);
      const cleared = await service.clearCache(modelId);
      return { body: { message: modelId ? `Cache cleared for ${modelId}` : 'Cache cleared', cleared } };
    });

    add('GET', '/statistics', 'user', async () => ({ body: { statistics: await service.statistics() } }));
    add('GET', '/model-types', 'user', async () => ({ body: { model_types: await service.modelTypes() } }));
    add('GET', '/dependencies', 'user', async () => ({
      body: { dependencies: await service.dependencies() },
    }));
  };
}

/**
 * Mounts the API over `deps.localModels` when the core passes a registry service; without one the
 * routes answer 503, so a client learns the registry is off rather than getting a 404 for the path.
 */
export const localModelRoutes: RouteModule = (routes, deps) => {
  mount((deps as LocalModelDeps).localModels)(routes, deps);
};
