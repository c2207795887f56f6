import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAllModels } from '../builder/build-all.js';

/** Builds every model into a fresh temp dir (one per test file: transformers.js memoises file probes). */
export async function buildModelsIntoTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'orch-models-'));
  await buildAllModels(dir);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Points transformers.js at `dir` with hub access switched off. */
export async function offlineTransformers(dir: string) {
  const transformers = await import('@huggingface/transformers');
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  transformers.env.localModelPath = dir;
  return transformers;
}
