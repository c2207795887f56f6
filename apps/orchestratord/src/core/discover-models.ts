import type { AdapterProps } from '@orch/adapter-api';
import type { ModelView } from './orchestrator-types.js';
import type { Pool } from './pool.js';

const PROPS_TIMEOUT_MS = 1_000;
const PROPS_TTL_MS = 10_000;
const cache = new WeakMap<object, { at: number; props: AdapterProps | undefined }>();

async function propsOf(pool: Pool): Promise<AdapterProps | undefined> {
  const replica =
    [...pool.replicas.values()].find((r) => r.phase === 'ready') ?? pool.replicas.values().next().value;
  if (!replica) return undefined;
  const hit = cache.get(replica);
  if (hit && Date.now() - hit.at < PROPS_TTL_MS) return hit.props;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), PROPS_TIMEOUT_MS);
  let props: AdapterProps | undefined;
  try {
    props = await Promise.race([
      replica.adapter.props({ signal: ac.signal }),
      new Promise<undefined>((resolve) =>
        ac.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
      ),
    ]);
  } catch {
    props = undefined;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  cache.set(replica, { at: Date.now(), props });
  return props;
}

/** Configured model ids plus what the engines report through props(), merged per model id. */
export async function discoverModels(pools: Pool[]): Promise<ModelView[]> {
  const byId = new Map<string, ModelView>();
  const add = (id: string, pool: string, props?: AdapterProps) => {
    let view = byId.get(id);
    if (!view) {
      view = { id, pools: [] };
      byId.set(id, view);
    }
    if (!view.pools.includes(pool)) view.pools.push(pool);
    if (props && !view.props) view.props = props;
  };
  const discovered = await Promise.all(pools.map(async (p) => ({ pool: p, props: await propsOf(p) })));
  for (const { pool, props } of discovered) {
    for (const m of pool.config.models)
      if (m !== '*') add(m, pool.id, props?.modelId === m ? props : undefined);
    if (props?.modelId) add(props.modelId, pool.id, props);
  }
  return [...byId.values()];
}
