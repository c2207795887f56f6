import { startFakeRouter } from '../testing/fake-router.js';

// The benchmark's upstream, in its own process so the client's CPU figures are its own. Answers are
// as long as max_tokens asks (up to a million tokens).
const fake = await startFakeRouter({ answerTokens: 1_000_000 });
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);

const stop = () => {
  void fake.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The parent closing our stdin (or dying) ends us too.
process.stdin.resume();
process.stdin.once('end', stop);
