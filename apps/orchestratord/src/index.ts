export { builtinPlugins, EMBEDDED_MODEL } from './adapters/builtin-plugins.js';
export {
  type AdapterCreateContext,
  type AdapterPlugin,
  AdapterRegistry,
  defineAdapter,
} from './adapters/define-adapter.js';
export { ConfigError, type ConfigProblem } from './config/config-error.js';
export type { DaemonConfig, DaemonConfigInput, PoolConfig, ReplicaConfig } from './config/config-schema.js';
export { DaemonConfigSchema } from './config/config-schema.js';
export { embeddedDefaultConfig } from './config/embedded-default.js';
export { configFromEnv, parseConfig, readConfigFile, resolveConfig } from './config/load-config.js';
export { OrchestratorImpl } from './core/orchestrator.js';
export type {
  JobHandle,
  JobState,
  ModelView,
  Orchestrator,
  PoolView,
  SubmitContext,
} from './core/orchestrator-types.js';
export { type Daemon, type DaemonOptions, startDaemon } from './daemon.js';
