import { startFakeTgi } from '@orch/fake-tgi';

// The benchmark's upstream, run in its own process so the client's CPU figures are its own.
const fake = await startFakeTgi({ maxTotalTokens: 1_000_000, maxInputTokens: 4096 });
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);

const stop = () => {
  void fake.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The parent closing our stdin (or dying) ends us too.
process.stdin.resume();
process.stdin.once('end', stop);
