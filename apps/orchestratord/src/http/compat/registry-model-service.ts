// LocalModelService over @orch/local-transformers' ModelRegistry. Type-only import: the registry
// (and transformers.js behind it) is loaded by whoever opens it, not by merely mounting the routes.
import { OrchError } from '@orch/adapter-api';
import type { ModelRecord, ModelRegistry, ModelRegistryOptionsInput, Task } from '@orch/local-transformers';
import type {
  LocalGenerateRequest,
  LocalModelRecord,
  LocalModelService,
  LocalPipelineRequest,
  ModelUpdate,
  NewModel,
} from './local-model-service.js';

/** Which task a model's /generate runs, by its model_type family. */
const GENERATE_TASK: Partial<Record<Task, Task>> = {
  'text-generation': 'text-generation',
  conversational: 'text-generation',
  'text2text-generation': 'text2text-generation',
  summarization: 'summarization',
  translation: 'translation',
};

/** Tasks one model can run, by model_type (mirrors the registry's families, for model picking). */
const FAMILIES: readonly (readonly string[])[] = [
  ['text-generation', 'conversational'],
  ['text2text-generation', 'summarization', 'translation'],
  ['question-answering'],
  ['fill-mask'],
  ['sentiment-analysis', 'text-classification'],
];

function family(type: string): readonly string[] {
  return FAMILIES.find((f) => f.includes(type)) ?? [type];
}

function record(r: ModelRecord): LocalModelRecord {
  return { ...r };
}

export function createRegistryModelService(registry: ModelRegistry): LocalModelService {
  const find = (id: string): ModelRecord | undefined => {
    try {
      return registry.get(id);
    } catch (err) {
      if (err instanceof OrchError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  };
  const types = () => registry.modelTypes() as readonly string[];

  return {
    async list(filter) {
      if (filter.model_type !== undefined && !types().includes(filter.model_type)) return [];
      const opts = filter.model_type === undefined ? {} : { model_type: filter.model_type as Task };
      return registry.list(opts).map(record);
    },
    async get(id) {
      const r = find(id);
      return r ? record(r) : undefined;
    },
    async add(model: NewModel) {
      return record(await registry.add({ ...model, name: model.name ?? model.model_id }));
    },
    async update(id: string, update: ModelUpdate) {
      return record(await registry.update(id, update));
    },
    async remove(id) {
      await registry.remove(id);
    },
    async load(id, options) {
      const info = await registry.load(id, options);
      return { ...info };
    },
    async generate(req: LocalGenerateRequest) {
      const r = registry.get(req.model_id);
      const task = GENERATE_TASK[r.model_type];
      if (!task) {
        throw new OrchError(
          'INVALID_REQUEST',
          `Model ${req.model_id} is a ${r.model_type} model and does not generate text; use /api/huggingface/pipeline`,
          { field: 'model_id', status: 400 },
        );
      }
      const input = Object.keys(req.parameters).length
        ? { inputs: req.prompt, parameters: req.parameters }
        : { inputs: req.prompt };
      const out = (await registry.run(req.model_id, task, input)) as unknown;
      const first = Array.isArray(out) ? (out[0] as Record<string, unknown> | undefined) : undefined;
      const text = first?.generated_text ?? first?.summary_text ?? first?.translation_text;
      return { generated_text: typeof text === 'string' ? text : '', task };
    },
    async pipeline(req: LocalPipelineRequest) {
      let modelId = req.model_id;
      if (modelId === undefined) {
        // No model named: the first registered model that can run the task.
        const candidate = registry
          .list()
          .find((m) => m.status !== 'disabled' && family(m.model_type).includes(req.task));
        if (!candidate) {
          throw new OrchError('NOT_FOUND', `No registered model can run ${req.task}`, {
            field: 'task',
            status: 404,
          });
        }
        modelId = candidate.model_id;
      }
      const params = Object.keys(req.parameters).length ? { parameters: req.parameters } : {};
      const input =
        req.task === 'conversational'
          ? { messages: req.inputs, ...params }
          : { inputs: req.inputs, ...params };
      return registry.run(modelId, req.task as Task, input);
    },
    async cacheInfo() {
      return { ...registry.cacheInfo() };
    },
    async clearCache(id) {
      return (await registry.clearCache(id)).cleared;
    },
    async statistics() {
      return { ...registry.statistics() };
    },
    async modelTypes() {
      return [...types()];
    },
    async dependencies() {
      return { ...registry.dependencies() };
    },
  };
}

/**
 * Opens the registry file (created with the bundled models on first use) and wraps it; for
 * `orchd serve` to pass as `startDaemon({localModels})`. The import is lazy so a daemon without
 * local models never loads transformers.js. Call `close()` on shutdown (unloads the workers).
 */
export async function openRegistryModelService(
  options: ModelRegistryOptionsInput,
): Promise<{ service: LocalModelService; close: () => Promise<void> }> {
  const { ModelRegistry } = await import('@orch/local-transformers');
  const registry = await ModelRegistry.open(options);
  return { service: createRegistryModelService(registry), close: () => registry.close() };
}
