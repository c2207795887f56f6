import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The installed transformers.js version, read from its package.json without importing it. */
export function transformersVersion(): string {
  if (cached) return cached;
  try {
    const entry = createRequire(import.meta.url).resolve('@huggingface/transformers');
    const pkg: unknown = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'));
    const version =
      typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
    cached = typeof version === 'string' ? version : 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
