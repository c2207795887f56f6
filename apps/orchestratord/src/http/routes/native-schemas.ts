import { invalidRequestFromZod } from '@orch/adapter-api';
import { z } from 'zod';
import type { SubmitContext } from '../../core/orchestrator-types.js';

const Target = z
  .object({ pool: z.string().min(1).optional(), replica: z.string().min(1).optional() })
  .strict()
  .refine((t) => t.pool !== undefined || t.replica !== undefined, 'give pool, replica or both');

export const PlacementSchema = z.object({ pin: Target.optional(), prefer: Target.optional() }).strict();

export const BatchSchema = z
  .object({
    tasks: z.array(z.record(z.string(), z.unknown())).min(1).max(1024),
    stream: z.boolean().optional(),
    placement: PlacementSchema.optional(),
  })
  .strict();

/** Splits the daemon-level `placement` off a task body (the task schema itself is strict). */
export function splitPlacement(
  body: unknown,
  prefix = '',
): { task: unknown; placement?: SubmitContext['placement'] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('placement' in body))
    return { task: body };
  const { placement, ...task } = body as Record<string, unknown>;
  const parsed = PlacementSchema.safeParse(placement);
  if (!parsed.success) throw invalidRequestFromZod(parsed.error, `${prefix}placement.`);
  return { task, placement: parsed.data };
}
