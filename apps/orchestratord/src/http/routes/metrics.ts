import { OrchError } from '@orch/adapter-api';
import type { RouteModule } from '../route-types.js';

/** GET /metrics: Prometheus text exposition (public unless auth.public_metrics is false). */
export const metricsRoutes: RouteModule = (routes, deps) => {
  routes.add(
    'GET',
    '/metrics',
    async (_req, res) => {
      if (!deps.control) throw new OrchError('UNSUPPORTED', 'metrics are not enabled', { retriable: false });
      const { contentType, body } = await deps.control.metrics();
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    { auth: 'metrics' },
  );
};
