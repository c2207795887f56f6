import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultState } from './fault-state.js';
import type { Limits } from './generate-params.js';
import { DEFAULT_SCRIPT_COUNT } from './generation.js';
import type { Liveness } from './liveness.js';
import type { StreamCache } from './stream-cache.js';
import type { FakeTgiOptions, RecordedRequest, TokenScript } from './types.js';

export interface ServerConfig {
  modelId: string;
  version: string;
  dockerLabel: string | null;
  apiKey: string | undefined;
  legacyInfo: boolean;
  noSpaceAfterData: boolean;
  script: { tokens: string[] } | { count: number };
  limits: Limits;
  payloadLimit: number;
  eosText: string;
  pipelineTag: string | null;
  keepAliveMs: number;
  maxConcurrentRequests: number | undefined;
  /** `<version>-<docker_label|native>` */
  fingerprint: string;
}

function normalizeScript(s: TokenScript | undefined): { tokens: string[] } | { count: number } {
  if (s === undefined) return { count: DEFAULT_SCRIPT_COUNT };
  if ('count' in s) return { count: Math.max(0, Math.floor(s.count)) };
  return s.tokens === undefined ? { count: DEFAULT_SCRIPT_COUNT } : { tokens: s.tokens };
}

export function resolveConfig(o: FakeTgiOptions): ServerConfig {
  const version = o.version ?? (o.legacyInfo ? '2.0.4' : '3.3.6-dev0');
  const dockerLabel = o.dockerLabel ?? null;
  return {
    modelId: o.modelId ?? 'fake-org/fake-model',
    version,
    dockerLabel,
    apiKey: o.apiKey,
    legacyInfo: o.legacyInfo ?? false,
    noSpaceAfterData: o.noSpaceAfterData ?? false,
    script: normalizeScript(o.tokens ?? o.script),
    limits: {
      maxInputTokens: o.maxInputTokens ?? 4095,
      maxTotalTokens: o.maxTotalTokens ?? 4096,
      maxStopSequences: 4,
      maxTopNTokens: 5,
      maxBestOf: 2,
    },
    payloadLimit: o.payloadLimit ?? 2_000_000,
    eosText: o.eosText ?? '</s>',
    pipelineTag: o.pipelineTag === undefined ? 'text-generation' : o.pipelineTag,
    keepAliveMs: o.keepAliveMs ?? 0,
    maxConcurrentRequests: o.maxConcurrentRequests,
    fingerprint: `${version}-${dockerLabel ?? 'native'}`,
  };
}

/** Everything a route handler needs for one request. */
export interface RouteContext {
  cfg: ServerConfig;
  faults: FaultState;
  req: IncomingMessage;
  res: ServerResponse;
  rec: RecordedRequest;
  live: Liveness;
  body: unknown;
  rawBody: string;
  /** Byte-identical replays of earlier fault-free streams (see StreamCache). */
  streamCache: StreamCache;
  /** Generation requests in flight, this one included. */
  inFlight: number;
}
