import { OrchError } from '@orch/adapter-api';
import type { Orchestrator } from '../../core/orchestrator-types.js';
import { sendJson } from '../respond.js';
import type { DaemonControl, RouteRegistry } from '../route-types.js';

function noPool(id: string): OrchError {
  return new OrchError('NOT_FOUND', `no pool '${id}'`, { status: 404, retriable: false });
}

export const API_VERSION = 'v2';

export function registerPoolRoutes(
  routes: RouteRegistry,
  orchestrator: Orchestrator,
  control?: DaemonControl,
): void {
  routes.add('GET', '/v2/pools', async (_req, res) => {
    sendJson(res, 200, { pools: orchestrator.pools() });
  });

  routes.add('GET', '/v2/pools/:id/health', async (_req, res, ctx) => {
    const pool = orchestrator.pools().find((p) => p.id === ctx.params.id);
    if (!pool) throw noPool(ctx.params.id!);
    const ready = pool.replicas.filter((r) => r.state === 'ready').length;
    sendJson(res, 200, {
      pool_id: pool.id,
      live: pool.replicas.some((r) => r.health?.live ?? false),
      ready: ready > 0 && !pool.draining,
      draining: pool.draining,
      ready_replicas: ready,
      queue: pool.queue,
      replicas: pool.replicas,
    });
  });

  routes.add(
    'POST',
    '/v2/pools/:id/drain',
    async (_req, res, ctx) => {
      const view = control?.drainPool(ctx.params.id!);
      if (!view) throw noPool(ctx.params.id!);
      ctx.log.info({ pool: view.id }, 'pool draining by admin request');
      sendJson(res, 202, { pool_id: view.id, draining: true, queue: view.queue });
    },
    { auth: 'admin' },
  );

  routes.add(
    'POST',
    '/v2/pools/:id/undrain',
    async (_req, res, ctx) => {
      const view = control?.undrainPool(ctx.params.id!);
      if (!view) throw noPool(ctx.params.id!);
      ctx.log.info({ pool: view.id }, 'pool back in service by admin request');
      res.writeHead(204).end();
    },
    { auth: 'admin' },
  );

  routes.add('GET', '/v2/models', async (_req, res) => {
    sendJson(res, 200, { models: await orchestrator.models() });
  });

  routes.add('GET', '/v2/meta/capabilities', async (_req, res) => {
    const models = await orchestrator.models();
    sendJson(res, 200, {
      api_version: API_VERSION,
      adapters: control?.adapterNames() ?? [],
      priorities: ['interactive', 'batch'],
      queue_policies: ['reject', 'drop-lru'],
      placement: ['pin', 'prefer', 'session_affinity'],
      sse_events: ['started', 'token', 'metrics', 'end', 'error'],
      timeouts: ['first_token_ms', 'idle_ms', 'total_ms'],
      pools: orchestrator.pools().map((p) => ({
        id: p.id,
        adapter: p.adapter,
        models: p.models,
        capabilities: models.find((m) => m.pools.includes(p.id) && m.props)?.props?.capabilities ?? null,
      })),
    });
  });

  routes.add(
    'GET',
    '/healthz',
    async (_req, res) => {
      sendJson(res, 200, { status: 'ok' });
    },
    { auth: 'health' },
  );

  routes.add(
    'GET',
    '/readyz',
    async (_req, res) => {
      const ready = orchestrator.accepting && (control?.ready() ?? true);
      sendJson(res, ready ? 200 : 503, {
        ready,
        accepting: orchestrator.accepting,
        pools: orchestrator.pools().map((p) => ({
          id: p.id,
          ready_replicas: p.replicas.filter((r) => r.state === 'ready').length,
          draining: p.draining,
        })),
      });
    },
    { auth: 'health' },
  );
}
