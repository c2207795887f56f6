import { serveToParent } from '@orch/fake-tgi/bench';
import { startFakeRouter } from '../testing/fake-router.js';

// The benchmark's upstream, in its own process so the client's CPU figures are its own. Answers are
// as long as max_tokens asks (up to a million tokens).
serveToParent(await startFakeRouter({ answerTokens: 1_000_000 }));
