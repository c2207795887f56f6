// The OpenAI-compatible surface: /v1/chat/completions, /v1/completions, /v1/models. The official
// `openai` SDK pointed at the daemon works unchanged (see openai.test.ts).
import { OrchError } from '@orch/adapter-api';
import { handleChat } from '../compat/openai-chat.js';
import { handleCompletion } from '../compat/openai-completions.js';
import { sendOpenAIError } from '../compat/openai-errors.js';
import { sendJson } from '../respond.js';
import type { RouteModule } from '../route-types.js';

function modelEntry(id: string): Record<string, unknown> {
  return { id, object: 'model', created: 0, owned_by: 'orchestratord' };
}

export const openaiRoutes: RouteModule = (routes, deps) => {
  routes.add('POST', '/v1/chat/completions', (req, res, ctx) => handleChat(req, res, ctx, deps));
  routes.add('POST', '/v1/completions', (req, res, ctx) => handleCompletion(req, res, ctx, deps));

  routes.add('GET', '/v1/models', async (_req, res) => {
    try {
      const models = await deps.orchestrator.models();
      sendJson(res, 200, { object: 'list', data: models.map((m) => modelEntry(m.id)) });
    } catch (err) {
      sendOpenAIError(res, err);
    }
  });

  routes.add('GET', '/v1/models/:model', async (_req, res, ctx) => {
    try {
      const id = ctx.params.model ?? '';
      const models = await deps.orchestrator.models();
      if (!models.some((m) => m.id === id)) {
        throw new OrchError('NOT_FOUND', `The model '${id}' does not exist`, { field: 'model', status: 404 });
      }
      sendJson(res, 200, modelEntry(id));
    } catch (err) {
      sendOpenAIError(res, err);
    }
  });
};
