import type { RouteModule } from '../route-types.js';
import { registerPoolRoutes } from './native-pools.js';
import { registerTaskRoutes } from './native-tasks.js';

/** The native /v2 API (specs/openapi.yaml) plus /healthz and /readyz. */
export const nativeRoutes: RouteModule = (routes, deps) => {
  registerTaskRoutes(routes, deps.orchestrator);
  registerPoolRoutes(routes, deps.orchestrator, deps.control);
};
