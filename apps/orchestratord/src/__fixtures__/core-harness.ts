import type { TerminalEvent, TokenEvent } from '@orch/adapter-api';
import type { MockAdapter } from '@orch/adapter-api/testing';
import { pino } from 'pino';
import { builtinPlugins } from '../adapters/builtin-plugins.js';
import { AdapterRegistry } from '../adapters/define-adapter.js';
import type { DaemonConfigInput } from '../config/config-schema.js';
import { parseConfig } from '../config/load-config.js';
import { OrchestratorImpl } from '../core/orchestrator.js';
import type { JobHandle } from '../core/orchestrator-types.js';

export interface CoreHarness {
  orch: OrchestratorImpl;
  mock(pool: string, replica?: string): MockAdapter;
  close(): Promise<void>;
}

/** An orchestrator (no HTTP) over mock pools; `clock` drives queue ordering (batch aging). */
export async function startCore(
  pools: DaemonConfigInput['pools'],
  jobs?: DaemonConfigInput['jobs'],
  opts: { clock?: () => number } = {},
): Promise<CoreHarness> {
  const registry = new AdapterRegistry(builtinPlugins());
  const orch = new OrchestratorImpl({
    registry,
    env: {},
    log: pino({ level: 'silent' }),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await orch.applyConfig(parseConfig({ pools, ...(jobs ? { jobs } : {}) }, registry, {}));
  return {
    orch,
    mock(pool, replica = 'r0') {
      const a = orch.replicaAdapter(pool, replica);
      if (!a) throw new Error(`no replica ${pool}/${replica}`);
      return a as MockAdapter;
    },
    close: () => orch.shutdown(0),
  };
}

export async function collect(job: JobHandle): Promise<TokenEvent[]> {
  const out: TokenEvent[] = [];
  for await (const ev of job.events()) out.push(ev);
  return out;
}

export function ctx(id = 'test'): { correlationId: string } {
  return { correlationId: id };
}

export function isTerminal(ev: TokenEvent | undefined): ev is TerminalEvent {
  return ev?.type === 'end' || ev?.type === 'error';
}
