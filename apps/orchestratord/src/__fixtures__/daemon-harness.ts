import { Writable } from 'node:stream';
import type { MockAdapter } from '@orch/adapter-api/testing';
import { pino } from 'pino';
import type { DaemonConfigInput } from '../config/config-schema.js';
import { type Daemon, type DaemonOptions, startDaemon } from '../daemon.js';

type PoolInput = DaemonConfigInput['pools'][number];

/** A pool of MockAdapter replicas with fast health probes, for tests. */
export function mockPool(id: string, replicas: string[] = ['r0'], extra: Partial<PoolInput> = {}): PoolInput {
  return {
    id,
    adapter: 'mock',
    models: ['*'],
    replicas: replicas.map((r) => ({ id: r, max_concurrent: 4 })),
    health: { interval_ms: 20, timeout_ms: 200, unhealthy_after: 2, healthy_after: 2 },
    ...extra,
  };
}

export interface TestDaemon {
  daemon: Daemon;
  url: string;
  logs: string[];
  mock(pool: string, replica?: string): MockAdapter;
  close(): Promise<void>;
}

/** Starts a daemon on 127.0.0.1:0 with logs captured in memory (level debug). */
export async function startTestDaemon(
  pools: PoolInput[],
  extra: Omit<DaemonConfigInput, 'pools'> = {},
  opts: DaemonOptions = {},
): Promise<TestDaemon> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const daemon = await startDaemon(
    { ...extra, server: { addr: '127.0.0.1:0', ...(extra.server ?? {}) }, pools },
    { logger, env: {}, defaultMetrics: false, ...opts },
  );
  return {
    daemon,
    url: daemon.url,
    logs,
    mock(pool, replica = 'r0') {
      const a = daemon.orchestrator.replicaAdapter(pool, replica);
      if (!a) throw new Error(`no replica ${pool}/${replica}`);
      return a as MockAdapter;
    },
    close: () => daemon.close(100),
  };
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a whole SSE response into events. */
export async function readSse(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return parseSse(text);
}

export function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    out.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return out;
}

/** Waits until `cond` holds, polling on timers (bounded), for state driven by probe loops. */
export async function until(cond: () => boolean, timeoutMs = 3_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
