import { bertFolder } from './bert-folder.js';
import { GraphBuilder } from './graph-builder.js';
import type { ModelFiles } from './model-folder.js';
import { DataType } from './onnx-proto.js';
import { NEGATIVE_WORDS, POSITIVE_WORDS } from './task-corpus.js';
import { Vocabulary } from './vocabulary.js';

export const SENTIMENT_MODEL_NAME = 'orch-tiny-sentiment';
/** Each sentiment word adds this much to its label's logit. */
export const SENTIMENT_WORD_WEIGHT = 1;
/** A neutral text leans POSITIVE by this much rather than tying. */
export const SENTIMENT_POSITIVE_BIAS = 0.01;

/** Bag-of-words sentiment classifier: logits = bias + sum of per-word [NEGATIVE, POSITIVE] weights. */
export function buildSentimentModel(): ModelFiles {
  const vocab = new Vocabulary(['[UNK]', '[PAD]', '[CLS]', '[SEP]'], '[UNK]');
  for (const w of [...POSITIVE_WORDS, ...NEGATIVE_WORDS]) vocab.add(w);
  const V = vocab.size;
  const weights = new Float32Array(V * 2);
  for (const w of NEGATIVE_WORDS) weights[vocab.id(w) * 2] = SENTIMENT_WORD_WEIGHT;
  for (const w of POSITIVE_WORDS) weights[vocab.id(w) * 2 + 1] = SENTIMENT_WORD_WEIGHT;

  const g = new GraphBuilder('orch_tiny_sentiment');
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']);
  g.output('logits', DataType.FLOAT, ['batch_size', 2]);
  const perToken = g.op('Gather', [g.float(weights, [V, 2]), ids]);
  const maskF = g.unsqueeze(g.cast(mask, DataType.FLOAT), [2]);
  const summed = g.op('ReduceSum', [g.op('Mul', [perToken, maskF]), g.int64([1])], {
    keepdims: { kind: 'int', value: 0 },
  });
  g.op('Add', [summed, g.float([0, SENTIMENT_POSITIVE_BIAS], [2])], {}, 'logits');

  const tok = {
    vocab,
    template: { single: [{ special: '[CLS]' }, { sequence: 'A' as const }, { special: '[SEP]' }] },
    config: { tokenizer_class: 'BertTokenizer', cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]' },
  };
  return bertFolder({
    architecture: 'BertForSequenceClassification',
    tok,
    extraConfig: {
      id2label: { '0': 'NEGATIVE', '1': 'POSITIVE' },
      label2id: { NEGATIVE: 0, POSITIVE: 1 },
      problem_type: 'single_label_classification',
    },
    kind: 'bag-of-words sentiment',
    graph: g,
    description: 'Bag-of-words sentiment classifier (orch model builder).',
  });
}
