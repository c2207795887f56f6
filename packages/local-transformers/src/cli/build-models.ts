#!/usr/bin/env node
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAllModels } from '../builder/build-all.js';

/** Default output: <package>/models, next to dist/. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../models', import.meta.url));

const USAGE = `usage: build-models [--out <dir>]

Writes the repo's own ONNX models (orch-tiny-llama, orch-tiny-t5, orch-tiny-qa, orch-tiny-bert,
orch-tiny-sentiment) into <dir> (default: ${DEFAULT_MODELS_DIR}). Deterministic, no network.`;

function parseArgs(argv: readonly string[]): { out: string } | { help: true } {
  let out = DEFAULT_MODELS_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--out') {
      const value = argv[i + 1];
      if (!value) throw new Error('--out needs a directory');
      out = resolve(value);
      i++;
    } else {
      throw new Error(`unknown argument: ${arg}`);
    }
  }
  return { out };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if ('help' in args) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const built = await buildAllModels(args.out);
  for (const m of built)
    process.stdout.write(`${m.name}: ${m.files.length} files, ${m.bytes} bytes -> ${m.dir}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build-models: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
