export {
  type FakeRouter,
  type FakeRouterOptions,
  type RecordedRequest,
  type RouterFault,
  startFakeRouter,
} from './fake-router.js';
