import { bertFolder } from './bert-folder.js';
import { LM_LINES } from './corpus.js';
import { GraphBuilder } from './graph-builder.js';
import type { ModelFiles } from './model-folder.js';
import { DataType } from './onnx-proto.js';
import { QA_CONTEXTS, QA_QUESTION_WORDS, STOP_WORDS } from './task-corpus.js';
import { Vocabulary } from './vocabulary.js';

export const QA_MODEL_NAME = 'orch-tiny-qa';
const ANSWER_LOGIT = 10;
/** Earlier candidates win ties. */
const POSITION_PENALTY = 0.001;

/**
 * Extractive QA by word overlap: a context word that is not in the question and not a stop word
 * scores 10 if the word before it is in the question, plus 5 if the word two before it is; the
 * earliest best-scoring word is the answer.
 * start_logits and end_logits are equal, so answers are one word long.
 */
export function buildQuestionAnsweringModel(): ModelFiles {
  const vocab = new Vocabulary(['[UNK]', '[PAD]', '[CLS]', '[SEP]'], '[UNK]');
  for (const text of [...QA_CONTEXTS, ...LM_LINES, QA_QUESTION_WORDS]) vocab.learn(text);
  const V = vocab.size;
  const content = new Float32Array(V);
  const word = new Float32Array(V);
  const stop = new Set(STOP_WORDS);
  vocab.tokens.forEach((t, i) => {
    word[i] = !vocab.isSpecial(i) && /\w/.test(t) ? 1 : 0;
    content[i] = word[i] === 1 && !stop.has(t) ? 1 : 0;
  });

  const g = new GraphBuilder('orch_tiny_qa');
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']);
  const types = g.input('token_type_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  g.output('start_logits', DataType.FLOAT, ['batch_size', 'sequence_length']);
  g.output('end_logits', DataType.FLOAT, ['batch_size', 'sequence_length']);

  const isContent = g.op('Gather', [g.float(content, [V]), ids]);
  const inQuestionSegment = g.cast(g.op('Equal', [types, g.scalarInt64(0)]), DataType.FLOAT);
  const attended = g.cast(mask, DataType.FLOAT);
  // Words of the question (not special tokens), as a [batch, 1, seq] mask over "j".
  const isWord = g.op('Gather', [g.float(word, [V]), ids]);
  const questionWord = g.op('Mul', [g.op('Mul', [isWord, inQuestionSegment]), attended]);
  const same = g.cast(g.op('Equal', [g.unsqueeze(ids, [2]), g.unsqueeze(ids, [1])]), DataType.FLOAT);
  const inQuestion = g.op('ReduceMax', [g.op('Mul', [same, g.unsqueeze(questionWord, [1])])], {
    axes: { kind: 'ints', value: [2] },
    keepdims: { kind: 'int', value: 0 },
  });
  const shifted = (by: number) =>
    g.slice(
      g.op('Pad', [inQuestion, g.int64([0, by, 0, 0]), g.scalarFloat(0)]),
      g.int64([0]),
      g.int64([-by]),
      [1],
    );
  const nearQuestion = g.op('Add', [shifted(1), g.op('Mul', [shifted(2), g.scalarFloat(0.5)])]);
  const notInQuestion = g.op('Sub', [g.scalarFloat(1), inQuestion]);
  const candidate = g.op('Mul', [g.op('Mul', [nearQuestion, notInQuestion]), isContent]);
  const seqLen = g.op('Squeeze', [g.dim(ids, 1)]);
  const positions = g.cast(g.op('Range', [g.scalarInt64(0), seqLen, g.scalarInt64(1)]), DataType.FLOAT);
  const score = g.op('Sub', [
    g.op('Mul', [candidate, g.scalarFloat(ANSWER_LOGIT)]),
    g.op('Mul', [positions, g.scalarFloat(POSITION_PENALTY)]),
  ]);
  g.op('Identity', [score], {}, 'start_logits');
  g.op('Identity', [score], {}, 'end_logits');

  const tok = {
    vocab,
    template: {
      single: [{ special: '[CLS]' }, { sequence: 'A' as const }, { special: '[SEP]' }],
      pair: [
        { special: '[CLS]' },
        { sequence: 'A' as const },
        { special: '[SEP]' },
        { sequence: 'B' as const, typeId: 1 },
        { special: '[SEP]', typeId: 1 },
      ],
    },
    config: { tokenizer_class: 'BertTokenizer', cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]' },
  };
  return bertFolder({
    architecture: 'BertForQuestionAnswering',
    tok,
    kind: 'word-overlap extractive QA',
    graph: g,
    description: 'Word-overlap extractive question answering (orch model builder).',
  });
}
