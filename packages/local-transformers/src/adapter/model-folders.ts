import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export interface ModelFolder {
  /** Folder name: what `model` (or a task's `model`) names. */
  name: string;
  dir: string;
  model_type: string;
  architectures: string[];
  has_chat_template: boolean;
  /** ONNX files under onnx/, e.g. model.onnx, model_quantized.onnx. */
  onnx_files: string[];
  bytes: number;
}

const ConfigSchema = z.object({ model_type: z.string(), architectures: z.array(z.string()).optional() });
const TokenizerConfigSchema = z.object({ chat_template: z.unknown().optional() });

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/** Describes one model folder, or returns undefined when it is not a usable transformers.js folder. */
export async function describeModelFolder(dir: string, name: string): Promise<ModelFolder | undefined> {
  try {
    const config = ConfigSchema.safeParse(await readJson(join(dir, 'config.json')));
    const tokConfig = TokenizerConfigSchema.safeParse(await readJson(join(dir, 'tokenizer_config.json')));
    await stat(join(dir, 'tokenizer.json'));
    if (!config.success || !tokConfig.success) return undefined;
    const onnx = (await readdir(join(dir, 'onnx')).catch(() => [] as string[])).filter((f) =>
      f.endsWith('.onnx'),
    );
    let bytes = 0;
    for (const f of [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      ...onnx.map((o) => `onnx/${o}`),
    ])
      bytes += (await stat(join(dir, f))).size;
    return {
      name,
      dir,
      model_type: config.data.model_type,
      architectures: config.data.architectures ?? [],
      has_chat_template: Boolean(tokConfig.data.chat_template),
      onnx_files: onnx.sort(),
      bytes,
    };
  } catch {
    return undefined;
  }
}

/** The model folders directly under `modelsDir` (and one level of org/name), sorted by name. */
export async function listModelFolders(modelsDir: string): Promise<ModelFolder[]> {
  const out: ModelFolder[] = [];
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = join(modelsDir, e.name);
    const direct = await describeModelFolder(dir, e.name);
    if (direct) {
      out.push(direct);
      continue;
    }
    for (const sub of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!sub.isDirectory()) continue;
      const nested = await describeModelFolder(join(dir, sub.name), `${e.name}/${sub.name}`);
      if (nested) out.push(nested);
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
