export {
  DEFAULT_MODEL,
  DEFAULT_MODELS_DIR,
  type LocalTransformersOptions,
  type LocalTransformersOptionsInput,
  LocalTransformersOptionsSchema,
} from './adapter/adapter-options.js';
export {
  LocalTransformersAdapter,
  type LocalTransformersHooks,
} from './adapter/local-transformers-adapter.js';
export { describeModelFolder, listModelFolders, type ModelFolder } from './adapter/model-folders.js';
export { type BuiltModel, buildAllModelFiles, buildAllModels } from './builder/build-all.js';
export { buildCausalLm, CAUSAL_LM_NAME } from './builder/causal-lm.js';
export { FILL_MASK_MODEL_NAME } from './builder/fill-mask-model.js';
export { QA_MODEL_NAME } from './builder/question-answering-model.js';
export { SEQ2SEQ_MODEL_NAME } from './builder/seq2seq-model.js';
export { SENTIMENT_MODEL_NAME } from './builder/text-classification-model.js';
export type { LoadProgress, WorkerFault } from './engine/worker-protocol.js';
export { type DependencyReport, type DeviceReport, dependencyReport } from './registry/dependency-report.js';
export {
  type AddModelInput,
  compatibleTasks,
  MODEL_STATUSES,
  type ModelRecord,
  PROTECTED_FIELDS,
  TASKS,
  type Task,
  type UpdateModelInput,
} from './registry/model-record.js';
export {
  type CacheEntryInfo,
  ModelRegistry,
  type ModelRegistryOptionsInput,
  ModelRegistryOptionsSchema,
  type RegistryStatistics,
} from './registry/model-registry.js';
export { RegistryCorruptError, RegistryStore } from './registry/registry-store.js';
export {
  type TaskInput,
  TaskInputSchemas,
  type TaskOutput,
  TaskOutputSchemas,
} from './registry/task-schemas.js';
