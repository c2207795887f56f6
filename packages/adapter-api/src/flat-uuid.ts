import { randomUUID } from 'node:crypto';

const scratch = Buffer.allocUnsafe(36);

/**
 * A random UUID as one flat string. Node builds `randomUUID()` by concatenation, a tree of ~14
 * string pieces (~450 B) that lives as long as the id does; ids are kept with every retained job.
 */
export function flatUuid(): string {
  scratch.write(randomUUID(), 0, 36, 'latin1');
  return scratch.toString('latin1', 0, 36);
}
