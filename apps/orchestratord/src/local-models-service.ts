import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LocalModelsConfig } from './config/config-schema.js';
import type { LocalModelService } from './http/compat/local-model-service.js';
import { openRegistryModelService } from './http/compat/registry-model-service.js';

export interface LazyModelService {
  service: LocalModelService;
  close(): Promise<void>;
}

/**
 * The /api/huggingface registry, opened on its first use: transformers.js and the registry file
 * cost nothing for a daemon that never serves that API. A failed open is retried on the next call.
 */
export function lazyModelService(config: LocalModelsConfig): LazyModelService {
  let opened: Promise<Awaited<ReturnType<typeof openRegistryModelService>>> | undefined;
  const open = () => {
    opened ??= openRegistryModelService({
      path: config.registry_path ?? join(homedir(), '.orch', 'model-registry.json'),
      allowRemote: config.allow_remote,
      ...(config.models_dir ? { modelsDir: config.models_dir } : {}),
      ...(config.cache_dir ? { cacheDir: config.cache_dir } : {}),
    }).catch((err: unknown) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };
  const service = new Proxy({} as LocalModelService, {
    get(_target, method: string | symbol) {
      if (typeof method !== 'string' || method === 'then') return undefined;
      return async (...args: unknown[]) => {
        const { service: real } = await open();
        const fn = (real as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
        if (typeof fn !== 'function') throw new Error(`the model registry has no ${method}()`);
        return fn.apply(real, args);
      };
    },
  });
  return {
    service,
    async close() {
      if (!opened) return;
      const o = await opened.catch(() => undefined);
      await o?.close();
    },
  };
}
