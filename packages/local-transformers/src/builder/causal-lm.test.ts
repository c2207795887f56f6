import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelsIntoTempDir, offlineTransformers } from '../__fixtures__/built-models.js';
import { buildCausalLm } from './causal-lm.js';

type Transformers = Awaited<ReturnType<typeof offlineTransformers>>;

describe('orch-tiny-llama (causal LM with a KV cache)', () => {
  let built: Awaited<ReturnType<typeof buildModelsIntoTempDir>>;
  let t: Transformers;
  beforeAll(async () => {
    built = await buildModelsIntoTempDir();
    t = await offlineTransformers(built.dir);
  });
  afterAll(async () => {
    await built.cleanup();
  });

  it('[LT-MODEL-4] greedy text-generation reproduces the corpus continuation exactly and stops at EOS', async () => {
    const gen = await t.pipeline('text-generation', 'orch-tiny-llama');
    const cases: [string, string][] = [
      ['orch is', 'orch is a job orchestrator for language models.'],
      ['orch streams', 'orch streams every token to you as soon as the model makes it.'],
      ['orch runs', 'orch runs small models in process, with no network at all.'],
      ['orch sends', 'orch sends big jobs to text generation inference servers.'],
      ['the daemon', 'the daemon keeps a bounded queue for each model and says when it is full.'],
      ['a cancelled', 'a cancelled job stops after the current token and frees its slot.'],
    ];
    for (const [prompt, expected] of cases) {
      const out = await gen(prompt, { max_new_tokens: 100 });
      expect(out).toEqual([{ generated_text: expected }]);
    }
  });

  it('[LT-MODEL-5] answers chat input through its chat template', async () => {
    const gen = await t.pipeline('text-generation', 'orch-tiny-llama');
    const ask = async (messages: { role: string; content: string }[]) => {
      const out = await gen(messages, { max_new_tokens: 100 });
      const first = (out as { generated_text: { role: string; content: string }[] }[])[0];
      return first?.generated_text.at(-1);
    };
    expect(await ask([{ role: 'user', content: 'What is orch?' }])).toEqual({
      role: 'assistant',
      content: ' orch is a job orchestrator for language models.',
    });
    expect(await ask([{ role: 'user', content: 'Hello!' }])).toEqual({
      role: 'assistant',
      content: ' hello! i am orch, a tiny model that lives in this repository.',
    });
    expect(
      await ask([
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'How do I stop a job?' },
      ]),
    ).toEqual({
      role: 'assistant',
      content: ' cancel it : a cancelled job stops after the current token and frees its slot.',
    });
  });

  it('[LT-MODEL-6] feeds the KV cache back: one token per step after the prompt, cache grows by one', async () => {
    const tokenizer = await t.AutoTokenizer.from_pretrained('orch-tiny-llama');
    const model = await t.AutoModelForCausalLM.from_pretrained('orch-tiny-llama');
    const session = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions
      .model;
    expect(session?.inputNames).toEqual(
      expect.arrayContaining(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key']),
    );
    const inputs = tokenizer('orch is');
    const seen: number[] = [];
    const streamer = new t.TextStreamer(tokenizer, {
      skip_prompt: true,
      callback_function: () => {},
      token_callback_function: (ids: bigint[]) => {
        for (const id of ids) seen.push(Number(id));
      },
    });
    const output = await model.generate({ ...inputs, max_new_tokens: 3, streamer });
    expect(seen).toHaveLength(3);
    expect(tokenizer.decode(seen)).toBe('a job orchestrator');
    expect(output).toBeDefined();
    await model.dispose();
  });

  it('[LT-MODEL-7] the builder verifies its own examples before writing', () => {
    const { order, examples } = buildCausalLm();
    expect(order).toBeGreaterThanOrEqual(2);
    expect(examples.find((e) => e.kind === 'chat' && e.input === 'What is orch?')?.output).toBe(
      'orch is a job orchestrator for language models.',
    );
  });
});
