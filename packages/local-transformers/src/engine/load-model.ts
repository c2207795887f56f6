import { access } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { LoadProgress, LoadRequest, ModelInfo } from './worker-protocol.js';

type Transformers = typeof import('@huggingface/transformers');

/** The slice of a transformers.js tokenizer the engine uses. */
export interface EngineTokenizer {
  (text: string): Record<string, unknown> & { input_ids: { dims: number[] } };
  apply_chat_template(
    messages: { role: string; content: string }[],
    options: { add_generation_prompt: boolean; return_dict: true },
  ): Record<string, unknown> & { input_ids: { dims: number[] } };
  decode(ids: number[], options: { skip_special_tokens: boolean }): string;
  chat_template: unknown;
  all_special_ids: number[];
}

export interface EngineModel {
  generate(options: Record<string, unknown>): Promise<unknown>;
  dispose(): Promise<unknown>;
  config: Record<string, unknown>;
  generation_config?: Record<string, unknown> | null;
}

export interface LoadedModel {
  transformers: Transformers;
  tokenizer: EngineTokenizer;
  model: EngineModel;
  specialIds: Set<number>;
  info: ModelInfo;
}

/** The model folder (or hub id) is not there; with allowRemote false nothing else is tried. */
export class ModelNotFoundError extends Error {}

/** Files transformers.js needs before it can even start (it fails with a null error otherwise). */
const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

async function checkLocalFolder(req: LoadRequest): Promise<void> {
  const dir = isPathLike(req.model) ? req.model : join(req.modelsDir, req.model);
  for (const file of REQUIRED_FILES) {
    try {
      await access(join(dir, file));
    } catch {
      throw new ModelNotFoundError(
        `model ${req.model} not found: ${join(dir, file)} is missing (build the repo's models with ` +
          '`pnpm models:build`, point modelsDir/model at an exported folder, or set allowRemote to download)',
      );
    }
  }
}

/** True when `model` names a folder by path rather than an id under modelsDir / the hub. */
export function isPathLike(model: string): boolean {
  return isAbsolute(model) || model.startsWith('./') || model.startsWith('../');
}

function toIds(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
  return [];
}

function toProgress(raw: unknown): LoadProgress | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.status !== 'string') return undefined;
  const out: LoadProgress = { status: r.status };
  if (typeof r.file === 'string') out.file = r.file;
  if (typeof r.progress === 'number') out.progress = r.progress;
  if (typeof r.loaded === 'number') out.loaded = r.loaded;
  if (typeof r.total === 'number') out.total = r.total;
  return out;
}

/** Configures transformers.js for this load: offline unless allowRemote, local folder root, cache. */
export function configureEnv(
  t: Transformers,
  req: Pick<LoadRequest, 'modelsDir' | 'cacheDir' | 'allowRemote'>,
) {
  t.env.allowRemoteModels = req.allowRemote;
  t.env.allowLocalModels = true;
  t.env.localModelPath = req.modelsDir.endsWith('/') ? req.modelsDir : `${req.modelsDir}/`;
  if (req.cacheDir) t.env.cacheDir = req.cacheDir;
}

export async function loadCausalLm(
  req: LoadRequest,
  onProgress: (event: LoadProgress) => void,
): Promise<LoadedModel> {
  const t0 = performance.now();
  if (!req.allowRemote) await checkLocalFolder(req);
  const transformers = await import('@huggingface/transformers');
  configureEnv(transformers, req);
  const progress_callback = (raw: unknown) => {
    const event = toProgress(raw);
    if (event) onProgress(event);
  };
  const device = req.device === 'auto' ? undefined : req.device;
  const common = { progress_callback, ...(req.cacheDir ? { cache_dir: req.cacheDir } : {}) };
  const tokenizer = (await transformers.AutoTokenizer.from_pretrained(
    req.model,
    common,
  )) as unknown as EngineTokenizer;
  const model = (await transformers.AutoModelForCausalLM.from_pretrained(req.model, {
    ...common,
    ...(device ? { device } : {}),
    ...(req.dtype ? { dtype: req.dtype as 'fp32' } : {}),
    // Each worker is one generation at a time; its own thread pool only needs its share of the cores.
    ...(req.threads ? { session_options: { intraOpNumThreads: req.threads, interOpNumThreads: 1 } } : {}),
  })) as unknown as EngineModel;
  const gen = model.generation_config ?? {};
  const eos = toIds(gen.eos_token_id ?? model.config.eos_token_id);
  const maxPos = model.config.max_position_embeddings;
  const info: ModelInfo = {
    modelType: String(model.config.model_type ?? 'unknown'),
    eosTokenIds: eos,
    hasChatTemplate: Boolean(tokenizer.chat_template),
    ...(typeof maxPos === 'number' && maxPos > 0 ? { maxPositionEmbeddings: maxPos } : {}),
    device: device ?? 'cpu',
    dtype: req.dtype ?? 'default',
    loadMs: performance.now() - t0,
    transformersVersion: transformers.env.version,
  };
  return { transformers, tokenizer, model, specialIds: new Set(tokenizer.all_special_ids.map(Number)), info };
}
