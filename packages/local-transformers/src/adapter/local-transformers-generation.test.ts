import { isOrchError, type TokenEvent } from '@orch/adapter-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelsIntoTempDir } from '../__fixtures__/built-models.js';
import { LocalTransformersAdapter } from './local-transformers-adapter.js';

async function collect(iterable: AsyncIterable<TokenEvent>): Promise<TokenEvent[]> {
  const out: TokenEvent[] = [];
  for await (const ev of iterable) out.push(ev);
  return out;
}

describe('LocalTransformersAdapter generation', () => {
  let built: Awaited<ReturnType<typeof buildModelsIntoTempDir>>;
  let adapter: LocalTransformersAdapter;
  beforeAll(async () => {
    built = await buildModelsIntoTempDir();
    adapter = new LocalTransformersAdapter({ modelsDir: built.dir, workers: 2, maxQueue: 8 });
    await adapter.load();
  });
  afterAll(async () => {
    await adapter.close();
    await built.cleanup();
  });

  it('[LT-GEN-1] streams one token event per generated id, ending at EOS with finish_reason stop', async () => {
    const events = await collect(adapter.submit({ prompt: 'orch is', max_tokens: 50 }));
    const tokens = events.filter((e) => e.type === 'token');
    expect(tokens.map((t) => t.type === 'token' && t.text)).toEqual([
      'a',
      ' job',
      ' orchestrator',
      ' for',
      ' language',
      ' models',
      '.',
      '',
    ]);
    const eos = tokens.at(-1);
    expect(eos?.type === 'token' && eos.special).toBe(true);
    expect(eos?.type === 'token' && eos.token_id).toBe(2);
    const end = events.at(-1);
    expect(end).toMatchObject({
      type: 'end',
      finish_reason: 'stop',
      text: 'a job orchestrator for language models.',
      usage: { prompt_tokens: 2, completion_tokens: 8 },
    });
  });

  it('[LT-GEN-2] chat input goes through the chat template', async () => {
    const result = await adapter.generate({ messages: [{ role: 'user', content: 'Where do models run?' }] });
    expect(result.text).toBe('small models run in process, big ones on inference servers.');
    expect(result.finish_reason).toBe('stop');
    // <|user|> where do models run ? <|assistant|>
    expect(result.usage.prompt_tokens).toBe(7);
  });

  it('[LT-GEN-3] [ADAPTER-STREAM-4] max_tokens ends with finish_reason length', async () => {
    const result = await adapter.generate({ prompt: 'the daemon', max_tokens: 4 });
    expect(result).toMatchObject({ text: 'keeps a bounded queue', finish_reason: 'length' });
    expect(result.usage.completion_tokens).toBe(4);
  });

  it('[LT-GEN-4] [ADAPTER-STREAM-5] stop sequences match decoded text across token boundaries', async () => {
    // "for lang" spans the tokens " for" and " language": the text is cut before it.
    const events = await collect(adapter.submit({ prompt: 'orch is', stop: ['for lang'] }));
    const end = events.at(-1);
    expect(end).toMatchObject({ type: 'end', finish_reason: 'stop_sequence', text: 'a job orchestrator ' });
    const texts = events.flatMap((e) => (e.type === 'token' ? [e.text] : []));
    expect(texts.join('')).toBe('a job orchestrator ');
    // Every generated id still has its event; the ones inside the stop sequence carry no text.
    expect(texts).toEqual(['a', ' job', ' orchestrator', ' ', '']);
  });

  it('[LT-GEN-5] a held-back partial stop match is released when it does not complete', async () => {
    const result = await adapter.generate({ prompt: 'orch is', stop: ['models!'] });
    expect(result).toMatchObject({ text: 'a job orchestrator for language models.', finish_reason: 'stop' });
  });

  it('[LT-GEN-6] seeded sampling is reproducible; greedy ignores the seed', async () => {
    const sample = (seed: number) =>
      adapter
        .generate({ prompt: 'orch', temperature: 5, top_k: 20, seed, max_tokens: 12 })
        .then((r) => r.text);
    const a = await sample(7);
    expect(await sample(7)).toBe(a);
    const others = await Promise.all([1, 2, 3].map(sample));
    expect(others.some((t) => t !== a)).toBe(true);
    const greedy = await adapter.generate({ prompt: 'orch is', seed: 7 });
    expect(greedy.text).toBe('a job orchestrator for language models.');
  });

  it('[LT-GEN-7] repetition_penalty changes the greedy path', async () => {
    // After "orch" the corpus offers is / streams / runs / sends / ","; "is" wins unless it is penalised
    // for already being in the text.
    const prompt = 'orch is a job orchestrator for language models. orch';
    const plain = await adapter.generate({ prompt, max_tokens: 4 });
    expect(plain.text).toBe('is a job orchestrator');
    const penalised = await adapter.generate({ prompt, max_tokens: 4, repetition_penalty: 50 });
    expect(penalised.text.startsWith('is')).toBe(false);
  });

  it('[LT-GEN-8] [ADAPTER-LOGPROB-2] refuses what the engine cannot do with UNSUPPORTED naming the field', async () => {
    const err = await adapter
      .generate({ prompt: 'x', tools: [{ type: 'function', function: { name: 'f' } }] })
      .catch((e: unknown) => e);
    expect(isOrchError(err) && [err.code, err.field]).toEqual(['UNSUPPORTED', 'tools']);
    let thrown: unknown;
    try {
      adapter.submit({ prompt: 'x', logprobs: true });
    } catch (e) {
      thrown = e;
    }
    expect(isOrchError(thrown) && [thrown.code, thrown.field]).toEqual(['UNSUPPORTED', 'logprobs']);
    for (const [task, field] of [
      [{ prompt: 'x', logprobs: true, top_logprobs: 2 }, 'logprobs'],
      [{ prompt: 'x', top_logprobs: 2 }, 'top_logprobs'],
    ] as const) {
      const err = await adapter.generate(task).catch((e: unknown) => e);
      expect(isOrchError(err) && [err.code, err.field]).toEqual(['UNSUPPORTED', field]);
    }
  });

  it('[LT-SLOTS-1] [ADAPTER-SLOTS-1] props report slots; two workers run two jobs at once', async () => {
    expect(await adapter.props()).toMatchObject({
      slotsTotal: 2,
      slotsFree: 2,
      capabilities: { chat: true },
    });
    const results = await Promise.all([
      adapter.generate({ prompt: 'orch runs' }),
      adapter.generate({ prompt: 'orch sends' }),
      adapter.generate({ prompt: 'a cancelled' }),
    ]);
    expect(results.map((r) => r.text)).toEqual([
      'small models in process, with no network at all.',
      'big jobs to text generation inference servers.',
      'job stops after the current token and frees its slot.',
    ]);
    expect((await adapter.props()).slotsFree).toBe(2);
  });
});
