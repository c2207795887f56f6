import { CHAT_EXAMPLES, CHAT_TEMPLATE, LM_LINES, LM_PROMPT_WORDS, renderChat } from './corpus.js';
import { GraphBuilder, INT64_MAX } from './graph-builder.js';
import { jsonBytes, type ModelFiles } from './model-folder.js';
import { greedyDecode, type NgramModel, sentinel, trainNgram } from './ngram-model.js';
import { DataType } from './onnx-proto.js';
import { tokenizerConfigJson, tokenizerJson } from './tokenizer-files.js';
import { Vocabulary } from './vocabulary.js';

export const CAUSAL_LM_NAME = 'orch-tiny-llama';
const SPECIALS = ['<unk>', '<s>', '</s>', '<pad>', '<|system|>', '<|user|>', '<|assistant|>'] as const;
const EOS = '</s>';
const MAX_ORDER_TRIED = 8;
/** A generous decode limit for verification: every training answer is far shorter. */
const VERIFY_LIMIT = 64;

export interface CausalLmExample {
  kind: 'prompt' | 'chat';
  /** The prompt text, or the user message for chat examples. */
  input: string;
  /** The exact text greedy decoding produces (special tokens skipped). */
  output: string;
}

export interface CausalLmBuild {
  files: ModelFiles;
  order: number;
  examples: CausalLmExample[];
}

function buildGraph(model: NgramModel, layers: number): Uint8Array {
  const V = model.vocabSize;
  const g = new GraphBuilder('orch_tiny_llama');
  const inputIds = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const attentionMask = g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']);
  // Declared so transformers.js feeds it as for any llama export; token history makes positions implicit.
  g.input('position_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const pastKeys: string[] = [];
  for (let i = 0; i < layers; i++) {
    pastKeys.push(
      g.input(`past_key_values.${i}.key`, DataType.FLOAT, ['batch_size', 1, 'past_sequence_length', 1]),
    );
    g.input(`past_key_values.${i}.value`, DataType.FLOAT, ['batch_size', 1, 'past_sequence_length', 1]);
  }
  g.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', V]);

  // The KV cache carries the token history: key = token id as a float, one head of width 1.
  const current = g.unsqueeze(g.cast(inputIds, DataType.FLOAT), [1, 3]);
  for (let i = 0; i < layers; i++) {
    const present = g.op(
      'Concat',
      [pastKeys[i]!, current],
      { axis: { kind: 'int', value: 2 } },
      `present.${i}.key`,
    );
    g.op('Identity', [present], {}, `present.${i}.value`);
    g.output(`present.${i}.key`, DataType.FLOAT, ['batch_size', 1, 'total_sequence_length', 1]);
    g.output(`present.${i}.value`, DataType.FLOAT, ['batch_size', 1, 'total_sequence_length', 1]);
  }
  const historyRaw = g.cast(g.squeeze('present.0.key', [1, 3]), DataType.INT64);
  const sentinelTok = g.scalarInt64(sentinel(V));
  const attended = g.op('Equal', [attentionMask, g.scalarInt64(1)]);
  // Padding reads as "before the start", so a left-padded row scores like an unpadded one.
  const history = g.op('Where', [attended, historyRaw, sentinelTok]);

  const seqLen = g.dim(inputIds, 1);
  const lastStart = g.op('Neg', [seqLen]);
  const lastEnd = g.int64([INT64_MAX]);
  const base = BigInt(V + 1);

  let logits = g.float(
    model.unigram.map((x) => x * (model.weights[0] ?? 0)),
    [V],
  );
  let hash = '';
  let scale = 1n;
  for (const table of model.tables) {
    const j = table.order - 1;
    let shifted = history;
    if (j > 0) {
      const padded = g.op('Pad', [history, g.int64([0, j, 0, 0]), sentinelTok]);
      shifted = g.slice(padded, g.int64([0]), g.int64([-j]), [1]);
    }
    const term = j === 0 ? shifted : g.op('Mul', [shifted, g.scalarInt64(scale)]);
    hash = j === 0 ? term : g.op('Add', [hash, term]);
    scale *= base;
    const hashLast = g.slice(hash, lastStart, lastEnd, [1]);
    const matches = g.op('Equal', [g.unsqueeze(hashLast, [2]), g.int64(table.hashes, [table.hashes.length])]);
    const weight = model.weights[table.order] ?? 0;
    const flat = new Float32Array(table.rows.length * V);
    table.rows.forEach((row, r) => {
      for (let w = 0; w < V; w++) flat[r * V + w] = (row[w] ?? 0) * weight;
    });
    const scores = g.op('MatMul', [g.cast(matches, DataType.FLOAT), g.float(flat, [table.rows.length, V])]);
    logits = g.op('Add', [logits, scores], {}, table.order === model.maxOrder ? 'logits' : undefined);
  }
  return g.toBytes(
    'Word-level back-off n-gram LM with its token history in the KV cache (orch model builder).',
  );
}

function trainingData(vocab: Vocabulary, eos: number) {
  const sequences: number[][] = [];
  const checks: { kind: 'prompt' | 'chat'; input: string; prompt: number[]; expected: number[] }[] = [];
  for (const line of LM_LINES) {
    const ids = [...vocab.learn(line), eos];
    sequences.push(ids);
    const words = line.split(' ');
    const input = words.slice(0, LM_PROMPT_WORDS).join(' ');
    checks.push({
      kind: 'prompt',
      input,
      prompt: ids.slice(0, LM_PROMPT_WORDS),
      expected: ids.slice(LM_PROMPT_WORDS),
    });
  }
  for (const ex of CHAT_EXAMPLES) {
    const question = renderChat([{ role: 'user', content: ex.user }], EOS, true);
    const full = renderChat(
      [
        { role: 'user', content: ex.user },
        { role: 'assistant', content: ex.assistant },
      ],
      EOS,
      false,
    );
    const ids = vocab.learn(full);
    sequences.push(ids);
    const prompt = vocab.encode(question);
    checks.push({ kind: 'chat', input: ex.user, prompt, expected: ids.slice(prompt.length) });
  }
  return { sequences, checks };
}

/** Builds the default causal LM; throws if no n-gram order up to 8 reproduces every example. */
export function buildCausalLm(): CausalLmBuild {
  const vocab = new Vocabulary(SPECIALS, '<unk>');
  const eos = vocab.id(EOS);
  const { sequences, checks } = trainingData(vocab, eos);
  const decodeText = (ids: number[]) =>
    ids
      .filter((id) => !vocab.isSpecial(id))
      .map((id) => vocab.tokens[id])
      .join(' ')
      .replace(/ ([.,!?])/g, '$1');
  for (let order = 1; order <= MAX_ORDER_TRIED; order++) {
    const model = trainNgram(sequences, vocab.size, order);
    const ok = checks.every((c) => {
      const out = greedyDecode(model, c.prompt, eos, VERIFY_LIMIT);
      return out.length === c.expected.length && out.every((id, i) => id === c.expected[i]);
    });
    if (!ok) continue;
    const tokenizerOpts = {
      vocab,
      config: {
        bos_token: '<s>',
        eos_token: EOS,
        pad_token: '<pad>',
        chat_template: CHAT_TEMPLATE,
      },
    };
    const ids = { bos_token_id: vocab.id('<s>'), eos_token_id: eos, pad_token_id: vocab.id('<pad>') };
    const files: ModelFiles = new Map();
    files.set('config.json', jsonBytes(causalLmConfig(vocab.size, order, ids)));
    files.set('generation_config.json', jsonBytes({ ...ids, max_length: 512, do_sample: false }));
    files.set('tokenizer.json', jsonBytes(tokenizerJson(tokenizerOpts)));
    files.set('tokenizer_config.json', jsonBytes(tokenizerConfigJson(tokenizerOpts)));
    files.set('onnx/model.onnx', buildGraph(model, 1));
    const examples = checks.map((c) => ({ kind: c.kind, input: c.input, output: decodeText(c.expected) }));
    return { files, order, examples };
  }
  throw new Error(`no n-gram order up to ${MAX_ORDER_TRIED} reproduces the training corpus`);
}

function causalLmConfig(vocabSize: number, order: number, ids: Record<string, number>): unknown {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: vocabSize,
    hidden_size: 1,
    intermediate_size: 1,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    head_dim: 1,
    max_position_embeddings: 2048,
    ...ids,
    tie_word_embeddings: false,
    torch_dtype: 'float32',
    'transformers.js_config': { dtype: 'fp32' },
    orch_builder: { kind: 'word-level back-off n-gram', ngram_order: order },
  };
}
