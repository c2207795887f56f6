import { bertFolder } from './bert-folder.js';
import { LM_LINES } from './corpus.js';
import { GraphBuilder } from './graph-builder.js';
import type { ModelFiles } from './model-folder.js';
import { DataType } from './onnx-proto.js';
import { Vocabulary } from './vocabulary.js';

export const FILL_MASK_MODEL_NAME = 'orch-tiny-bert';
const SPECIAL_PENALTY = -10;

function normalizeRows(counts: Float32Array, V: number): void {
  for (let r = 0; r < V; r++) {
    let total = 0;
    for (let c = 0; c < V; c++) total += counts[r * V + c] ?? 0;
    if (total > 0) for (let c = 0; c < V; c++) counts[r * V + c] = (counts[r * V + c] ?? 0) / total;
  }
}

/**
 * Masked LM from bigram statistics of the LM corpus: the logits at position t are
 * P(word | left neighbour) + P(word | right neighbour), with special tokens pushed down.
 */
export function buildFillMaskModel(): ModelFiles {
  const vocab = new Vocabulary(['[UNK]', '[PAD]', '[CLS]', '[SEP]', '[MASK]'], '[UNK]');
  const sequences = LM_LINES.map((line) => [vocab.id('[CLS]'), ...vocab.learn(line), vocab.id('[SEP]')]);
  const V = vocab.size;
  // left[prev][w]: w follows prev; right[next][w]: w precedes next.
  const left = new Float32Array(V * V);
  const right = new Float32Array(V * V);
  for (const seq of sequences) {
    for (let t = 1; t < seq.length; t++) {
      const prev = seq[t - 1] as number;
      const cur = seq[t] as number;
      left[prev * V + cur] = (left[prev * V + cur] ?? 0) + 1;
      right[cur * V + prev] = (right[cur * V + prev] ?? 0) + 1;
    }
  }
  normalizeRows(left, V);
  normalizeRows(right, V);
  const bias = new Float32Array(V);
  for (let i = 0; i < V; i++) if (vocab.isSpecial(i)) bias[i] = SPECIAL_PENALTY;

  const g = new GraphBuilder('orch_tiny_bert');
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  g.input('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']);
  g.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', V]);
  const pad = g.scalarInt64(vocab.id('[PAD]'));
  const prevIds = g.slice(g.op('Pad', [ids, g.int64([0, 1, 0, 0]), pad]), g.int64([0]), g.int64([-1]), [1]);
  const nextIds = g.slice(
    g.op('Pad', [ids, g.int64([0, 0, 0, 1]), pad]),
    g.int64([1]),
    g.int64([2n ** 62n]),
    [1],
  );
  const fromLeft = g.op('Gather', [g.float(left, [V, V]), prevIds]);
  const fromRight = g.op('Gather', [g.float(right, [V, V]), nextIds]);
  g.op('Add', [g.op('Add', [fromLeft, fromRight]), g.float(bias, [V])], {}, 'logits');

  const tok = {
    vocab,
    template: { single: [{ special: '[CLS]' }, { sequence: 'A' as const }, { special: '[SEP]' }] },
    config: {
      tokenizer_class: 'BertTokenizer',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      mask_token: '[MASK]',
    },
  };
  return bertFolder({
    architecture: 'BertForMaskedLM',
    tok,
    kind: 'bigram masked LM',
    graph: g,
    description: 'Bigram masked language model (orch model builder).',
  });
}
