export { startFakeTgi } from './fake-tgi.js';
export { fixtureNames, fixturePath, loadFixture } from './fixtures.js';
export { RANDOM_SEED } from './generate-route.js';
export { EOS_ID, logprobText } from './generation.js';
export { startFakeHfRouter } from './hf-router.js';
export { headerOf, type RawRequestOptions, type RawResponse, rawRequest, sseData } from './raw-http.js';
export { type SpawnedFakeTgi, spawnFakeTgi } from './spawn-fake-tgi.js';
export type {
  FakeHfRouterOptions,
  FakeTgi,
  FakeTgiOptions,
  FaultConfig,
  FaultCount,
  InStreamErrorType,
  RecordedRequest,
  TokenScript,
} from './types.js';
