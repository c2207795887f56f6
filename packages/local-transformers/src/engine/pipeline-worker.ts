/**
 * Worker-thread entry for the registry's task pipelines: loads one model once and serves every
 * pipeline task it is compatible with (e.g. a T5 for text2text, summarization and translation).
 */
import { parentPort } from 'node:worker_threads';
import { configureEnv, isPathLike, ModelNotFoundError } from './load-model.js';
import type { FromPipelineWorker, PipelineLoadRequest, ToPipelineWorker } from './pipeline-protocol.js';

type Transformers = typeof import('@huggingface/transformers');
type Callable = (...args: unknown[]) => Promise<unknown>;
interface LoadedPipeline {
  model: unknown;
  tokenizer: unknown;
}

const port = parentPort;
if (!port) throw new Error('pipeline-worker must run in a worker thread');
const post = (msg: FromPipelineWorker) => port.postMessage(msg);

let transformers: Transformers | undefined;
let base: LoadedPipeline | undefined;
const pipelines = new Map<string, Callable>();

/** transformers.js pipeline classes by task, to wrap the already loaded model for another task. */
function pipelineClass(
  t: Transformers,
  task: string,
): (new (o: Record<string, unknown>) => Callable) | undefined {
  const classes: Record<string, unknown> = {
    'text-generation': t.TextGenerationPipeline,
    'text2text-generation': t.Text2TextGenerationPipeline,
    summarization: t.SummarizationPipeline,
    translation: t.TranslationPipeline,
    'question-answering': t.QuestionAnsweringPipeline,
    'fill-mask': t.FillMaskPipeline,
    'text-classification': t.TextClassificationPipeline,
  };
  return classes[task] as (new (o: Record<string, unknown>) => Callable) | undefined;
}

async function load(req: PipelineLoadRequest): Promise<void> {
  const t0 = performance.now();
  if (!req.allowRemote) {
    const { access } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const dir = isPathLike(req.source) ? req.source : join(req.modelsDir, req.source);
    try {
      await access(join(dir, 'config.json'));
    } catch {
      throw new ModelNotFoundError(`model ${req.source} not found in ${dir} (hub downloads are off)`);
    }
  }
  transformers = await import('@huggingface/transformers');
  configureEnv(transformers, req);
  const device = req.device === 'auto' ? undefined : req.device;
  const p = (await transformers.pipeline(req.task as 'text-generation', req.source, {
    ...(device ? { device } : {}),
    ...(req.dtype ? { dtype: req.dtype as 'fp32' } : {}),
    ...(req.cacheDir ? { cache_dir: req.cacheDir } : {}),
  })) as unknown as Callable & LoadedPipeline;
  base = p;
  pipelines.set(req.task, p);
  post({ type: 'ready', loadMs: performance.now() - t0, device: device ?? 'cpu' });
}

function pipelineFor(task: string): Callable {
  const known = pipelines.get(task);
  if (known) return known;
  if (!transformers || !base) throw new Error('model is not loaded');
  const Cls = pipelineClass(transformers, task);
  if (!Cls) throw new Error(`unsupported pipeline task ${task}`);
  const p = new Cls({ task, model: base.model, tokenizer: base.tokenizer });
  pipelines.set(task, p);
  return p;
}

port.on('message', (msg: ToPipelineWorker) => {
  if (msg.type === 'load') {
    load(msg).catch((err: unknown) => {
      post({
        type: 'load-error',
        message: err instanceof Error ? err.message : String(err),
        notFound: err instanceof ModelNotFoundError,
      });
      port.close();
    });
    return;
  }
  Promise.resolve()
    .then(() => pipelineFor(msg.task)(...msg.args))
    .then(
      (output) => post({ type: 'result', seq: msg.seq, output }),
      (err: unknown) =>
        post({ type: 'failed', seq: msg.seq, message: err instanceof Error ? err.message : String(err) }),
    );
});
