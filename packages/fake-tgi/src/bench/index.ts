// `@orch/fake-tgi/bench`: the machinery the adapters' benchmarks share (they all measure clients
// against this package's fake servers).
export { type ChildServer, serveToParent, spawnChildServer } from '../child-server.js';
export { parseBenchArgs } from './bench-args.js';
export {
  adapterContender,
  type Contender,
  exactly,
  manyStreams,
  type SubmittingAdapter,
} from './contender.js';
export { type FloorRoute, floorContender, isChatToken } from './floor-contender.js';
export {
  measure,
  median,
  printResults,
  type Result,
  type Sample,
  type ScenarioOptions,
  scenario,
} from './scenario.js';
