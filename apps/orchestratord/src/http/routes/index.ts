import type { RouteModule } from '../route-types.js';
import { localModelRoutes } from './local-models.js';
import { metricsRoutes } from './metrics.js';
import { nativeRoutes } from './native.js';
import { openaiRoutes } from './openai.js';
import { tgiRoutes } from './tgi.js';

export const native: RouteModule = nativeRoutes;
export const metrics: RouteModule = metricsRoutes;
export const openai: RouteModule = openaiRoutes;
export const tgi: RouteModule = tgiRoutes;
export const localModels: RouteModule = localModelRoutes;

/** Every API family the daemon serves, mounted in this order. */
export const allRoutes: RouteModule[] = [native, metrics, openai, tgi, localModels];
