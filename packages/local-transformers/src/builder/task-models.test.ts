import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelsIntoTempDir, offlineTransformers } from '../__fixtures__/built-models.js';

type Transformers = Awaited<ReturnType<typeof offlineTransformers>>;

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

describe('tiny task models', () => {
  let built: Awaited<ReturnType<typeof buildModelsIntoTempDir>>;
  let t: Transformers;
  beforeAll(async () => {
    built = await buildModelsIntoTempDir();
    t = await offlineTransformers(built.dir);
  });
  afterAll(async () => {
    await built.cleanup();
  });

  it('[LT-MODEL-8] text2text-generation translates word for word (T5-style encoder-decoder)', async () => {
    const p = await t.pipeline('text2text-generation', 'orch-tiny-t5');
    expect(await p('the cat eats fish')).toEqual([{ generated_text: 'le chat mange poisson' }]);
    expect(await p(['the cat eats fish', 'hello world'])).toEqual([
      { generated_text: 'le chat mange poisson' },
      { generated_text: 'bonjour monde' },
    ]);
  });

  it('[LT-MODEL-9] translation uses the model task prefix and drops it from the output', async () => {
    const p = await t.pipeline('translation', 'orch-tiny-t5');
    expect(await p('the small dog drinks water')).toEqual([{ translation_text: 'le petit chien boit eau' }]);
  });

  it('[LT-MODEL-10] summarization drops filler words', async () => {
    const p = await t.pipeline('summarization', 'orch-tiny-t5');
    expect(await p('the daemon is very fast and the model is really small.')).toEqual([
      { summary_text: 'daemon fast model small.' },
    ]);
  });

  it('[LT-MODEL-11] question-answering picks the context word after the question words', async () => {
    const p = await t.pipeline('question-answering', 'orch-tiny-qa');
    const a = await p('What is orch written in?', 'orch is written in typescript and runs on node.');
    expect(a).toMatchObject({ answer: 'typescript' });
    const b = await p('The daemon listens on which port?', 'the daemon listens on port 8080 by default.');
    expect(b).toMatchObject({ answer: '8080' });
  });

  it('[LT-MODEL-12] fill-mask predicts from both neighbours', async () => {
    const p = await t.pipeline('fill-mask', 'orch-tiny-bert');
    const out = await p('orch is a [MASK] orchestrator for language models.', { top_k: 1 });
    expect(out).toMatchObject([
      { token_str: 'job', sequence: 'orch is a job orchestrator for language models.' },
    ]);
  });

  it('[LT-MODEL-13] sentiment-analysis sums word weights into POSITIVE / NEGATIVE logits', async () => {
    const p = await t.pipeline('sentiment-analysis', 'orch-tiny-sentiment');
    const pos = await p('I love orch, it is fast and easy');
    // love + fast + easy = 3 on POSITIVE, plus the 0.01 bias.
    expect(pos).toEqual([{ label: 'POSITIVE', score: expect.closeTo(softmax([0, 3.01])[1] ?? 0, 6) }]);
    const neg = await p('the build is broken and slow');
    expect(neg).toEqual([{ label: 'NEGATIVE', score: expect.closeTo(softmax([2, 0.01])[0] ?? 0, 6) }]);
  });
});
