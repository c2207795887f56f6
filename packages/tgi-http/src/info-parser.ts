import { z } from 'zod';

const count = z.number().int().nonnegative();

/**
 * TGI's `/info`, leniently: unknown fields are ignored (TGI adds some in most releases), and both the
 * current `max_input_tokens` and the pre-2.1 `max_input_length` are accepted.
 */
export const TgiInfoSchema = z.looseObject({
  model_id: z.string().min(1),
  model_sha: z.string().nullish(),
  model_pipeline_tag: z.string().nullish(),
  model_dtype: z.string().nullish(),
  model_device_type: z.string().nullish(),
  max_concurrent_requests: count.nullish(),
  max_best_of: count.nullish(),
  max_stop_sequences: count.nullish(),
  max_input_tokens: count.nullish(),
  max_input_length: count.nullish(),
  max_total_tokens: count.nullish(),
  max_client_batch_size: count.nullish(),
  router: z.string().nullish(),
  version: z.string().nullish(),
  sha: z.string().nullish(),
  docker_label: z.string().nullish(),
});
export type TgiInfoWire = z.infer<typeof TgiInfoSchema>;

/** What orch uses of `/info`, with version differences resolved. */
export interface TgiInfo {
  modelId: string;
  version: string;
  maxInputTokens?: number;
  maxTotalTokens?: number;
  maxConcurrentRequests?: number;
  maxStopSequences?: number;
  maxBestOf?: number;
  pipelineTag?: string;
  dockerLabel?: string;
  /** The `version` parsed as [major, minor, patch], if it parses. */
  semver?: [number, number, number];
}

export function parseVersion(version: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** True when `v` is at least `min` (unparsable versions count as new: TGI builds from main say "dev"). */
export function versionAtLeast(
  v: [number, number, number] | undefined,
  min: [number, number, number],
): boolean {
  if (!v) return true;
  for (let i = 0; i < 3; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

export function toTgiInfo(wire: TgiInfoWire): TgiInfo {
  const version = wire.version ?? 'unknown';
  const info: TgiInfo = { modelId: wire.model_id, version };
  const maxInput = wire.max_input_tokens ?? wire.max_input_length;
  if (maxInput != null) info.maxInputTokens = maxInput;
  if (wire.max_total_tokens != null) info.maxTotalTokens = wire.max_total_tokens;
  if (wire.max_concurrent_requests != null) info.maxConcurrentRequests = wire.max_concurrent_requests;
  if (wire.max_stop_sequences != null) info.maxStopSequences = wire.max_stop_sequences;
  if (wire.max_best_of != null) info.maxBestOf = wire.max_best_of;
  if (wire.model_pipeline_tag != null) info.pipelineTag = wire.model_pipeline_tag;
  if (wire.docker_label != null) info.dockerLabel = wire.docker_label;
  const semver = parseVersion(version);
  if (semver) info.semver = semver;
  return info;
}

/** Validates an `/info` body. Returns the zod error instead of throwing so the caller can name fields. */
export function parseTgiInfo(body: unknown): { ok: true; info: TgiInfo } | { ok: false; error: z.ZodError } {
  const r = TgiInfoSchema.safeParse(body);
  return r.success ? { ok: true, info: toTgiInfo(r.data) } : { ok: false, error: r.error };
}
