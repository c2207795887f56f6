export {
  assertStreamInvariants,
  type ConformanceFault,
  type ConformanceHarness,
  type ConformanceOptions,
  runConformanceSuite,
} from './conformance.js';
export {
  MockAdapter,
  type MockAdapterOptions,
  type MockFaults,
  mockAlternatives,
  mockError,
} from './mock-adapter.js';
