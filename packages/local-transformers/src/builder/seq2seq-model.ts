import { GraphBuilder } from './graph-builder.js';
import { jsonBytes, type ModelFiles } from './model-folder.js';
import { DataType } from './onnx-proto.js';
import {
  EN_FR,
  FILLER_WORDS,
  SEQ2SEQ_EXTRA_TEXT,
  SUMMARIZATION_PREFIX,
  TRANSLATION_PREFIX,
} from './task-corpus.js';
import { tokenizerConfigJson, tokenizerJson } from './tokenizer-files.js';
import { Vocabulary } from './vocabulary.js';

export const SEQ2SEQ_MODEL_NAME = 'orch-tiny-t5';
/** Marks a source word the output leaves out. */
const DROP = -1;
const TARGET_LOGIT = 10;

interface Seq2SeqVocab {
  vocab: Vocabulary;
  translate: number[];
  summarize: number[];
  translatePrefixLength: number;
  summarizePrefixLength: number;
}

function vocabulary(): Seq2SeqVocab {
  const vocab = new Vocabulary(['<pad>', '</s>', '<unk>'], '<unk>');
  const translatePrefix = vocab.learn(TRANSLATION_PREFIX);
  const summarizePrefix = vocab.learn(SUMMARIZATION_PREFIX);
  for (const [en, fr] of Object.entries(EN_FR)) {
    vocab.add(en);
    vocab.add(fr);
  }
  for (const w of FILLER_WORDS) vocab.add(w);
  vocab.learn(SEQ2SEQ_EXTRA_TEXT);
  const filler = new Set(FILLER_WORDS);
  const translate = vocab.tokens.map((t, i) => (EN_FR[t] !== undefined ? vocab.id(EN_FR[t]) : i));
  const summarize = vocab.tokens.map((t, i) => (filler.has(t) ? DROP : i));
  return {
    vocab,
    translate,
    summarize,
    translatePrefixLength: translatePrefix.length,
    summarizePrefixLength: summarizePrefix.length,
  };
}

/**
 * Encoder: maps every source word to its output word (translation table, or the summariser's table
 * when the text starts with "summarize:"), removes the task prefix and dropped words, and emits the
 * surviving ids in order, then </s>. The hidden state is the output id as a float (d_model = 1).
 */
function encoderGraph(s: Seq2SeqVocab): Uint8Array {
  const { vocab } = s;
  const eos = vocab.id('</s>');
  const g = new GraphBuilder('orch_tiny_t5_encoder');
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'encoder_sequence_length']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch_size', 'encoder_sequence_length']);
  g.output('last_hidden_state', DataType.FLOAT, ['batch_size', 'encoder_sequence_length', 1]);

  const first = g.slice(ids, g.int64([0]), g.int64([1]), [1]);
  const isSummary = g.op('Equal', [first, g.scalarInt64(vocab.id('summarize'))]);
  const isTranslation = g.op('Equal', [first, g.scalarInt64(vocab.id('translate'))]);
  const prefixLength = g.op('Where', [
    isTranslation,
    g.scalarInt64(s.translatePrefixLength),
    g.op('Where', [isSummary, g.scalarInt64(s.summarizePrefixLength), g.scalarInt64(0)]),
  ]);
  const mapped = g.op('Where', [
    isSummary,
    g.op('Gather', [g.int64(s.summarize), ids]),
    g.op('Gather', [g.int64(s.translate), ids]),
  ]);
  const seqLen = g.dim(ids, 1);
  const positions = g.op('Range', [g.scalarInt64(0), g.op('Squeeze', [seqLen]), g.scalarInt64(1)]);
  const drop = g.op('Or', [
    g.op('Or', [g.op('Less', [positions, prefixLength]), g.op('Equal', [mapped, g.scalarInt64(DROP)])]),
    g.op('Equal', [mask, g.scalarInt64(0)]),
  ]);
  const kept = g.op('Where', [drop, g.scalarInt64(eos), mapped]);
  // Stable compaction: kept words keep their order, dropped ones sort after them.
  const sortKey = g.op('Add', [
    positions,
    g.op('Where', [drop, g.op('Squeeze', [seqLen]), g.scalarInt64(0)]),
  ]);
  const [, order] = g.opMulti('TopK', [g.cast(sortKey, DataType.FLOAT), seqLen], 2, {
    axis: { kind: 'int', value: 1 },
    largest: { kind: 'int', value: 0 },
    sorted: { kind: 'int', value: 1 },
  });
  const compact = g.op('GatherElements', [kept, order!], { axis: { kind: 'int', value: 1 } });
  g.op('Unsqueeze', [g.cast(compact, DataType.FLOAT), g.int64([2])], {}, 'last_hidden_state');
  return g.toBytes('Word-for-word encoder (orch model builder).');
}

/** Decoder: at decoder position p it emits encoder output word p (or </s> past the end). */
function decoderGraph(s: Seq2SeqVocab): Uint8Array {
  const V = s.vocab.size;
  const eos = s.vocab.id('</s>');
  const g = new GraphBuilder('orch_tiny_t5_decoder');
  const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'decoder_sequence_length']);
  const hidden = g.input('encoder_hidden_states', DataType.FLOAT, [
    'batch_size',
    'encoder_sequence_length',
    1,
  ]);
  const pastKey = g.input('past_key_values.0.decoder.key', DataType.FLOAT, [
    'batch_size',
    1,
    'past_decoder_sequence_length',
    1,
  ]);
  g.input('past_key_values.0.decoder.value', DataType.FLOAT, [
    'batch_size',
    1,
    'past_decoder_sequence_length',
    1,
  ]);
  g.output('logits', DataType.FLOAT, ['batch_size', 'decoder_sequence_length', V]);
  g.output('present.0.decoder.key', DataType.FLOAT, ['batch_size', 1, 'total_decoder_sequence_length', 1]);
  g.output('present.0.decoder.value', DataType.FLOAT, ['batch_size', 1, 'total_decoder_sequence_length', 1]);

  // The decoder cache only has to count steps: it stores the decoder's own tokens.
  const current = g.unsqueeze(g.cast(ids, DataType.FLOAT), [1, 3]);
  const present = g.op(
    'Concat',
    [pastKey, current],
    { axis: { kind: 'int', value: 2 } },
    'present.0.decoder.key',
  );
  g.op('Identity', [present], {}, 'present.0.decoder.value');
  const total = g.op('Squeeze', [g.dim(present, 2)]);
  const steps = g.op('Squeeze', [g.dim(ids, 1)]);
  const positions = g.op('Range', [g.op('Sub', [total, steps]), total, g.scalarInt64(1)]);

  const source = g.cast(g.squeeze(hidden, [2]), DataType.INT64);
  const eosColumn = g.op('Add', [
    g.op('Mul', [g.slice(source, g.int64([0]), g.int64([1]), [1]), g.scalarInt64(0)]),
    g.scalarInt64(eos),
  ]);
  const extended = g.op('Concat', [source, eosColumn], { axis: { kind: 'int', value: 1 } });
  const clamped = g.op('Min', [positions, g.op('Squeeze', [g.dim(source, 1)])]);
  const target = g.op('Gather', [extended, clamped], { axis: { kind: 'int', value: 1 } });
  const vocabRange = g.int64(
    Array.from({ length: V }, (_, i) => i),
    [V],
  );
  const oneHot = g.cast(g.op('Equal', [g.unsqueeze(target, [2]), vocabRange]), DataType.FLOAT);
  g.op('Mul', [oneHot, g.scalarFloat(TARGET_LOGIT)], {}, 'logits');
  return g.toBytes('Word-for-word decoder with a step-counting KV cache (orch model builder).');
}

/** A T5-style encoder-decoder for text2text-generation, translation and summarization. */
export function buildSeq2SeqModel(): ModelFiles {
  const s = vocabulary();
  const { vocab } = s;
  const ids = {
    decoder_start_token_id: vocab.id('<pad>'),
    eos_token_id: vocab.id('</s>'),
    pad_token_id: vocab.id('<pad>'),
  };
  const tok = {
    vocab,
    template: { single: [{ sequence: 'A' as const }, { special: '</s>' }] },
    config: { eos_token: '</s>', pad_token: '<pad>' },
  };
  const files: ModelFiles = new Map();
  files.set(
    'config.json',
    jsonBytes({
      architectures: ['T5ForConditionalGeneration'],
      model_type: 't5',
      is_encoder_decoder: true,
      vocab_size: vocab.size,
      d_model: 1,
      d_kv: 1,
      d_ff: 1,
      num_heads: 1,
      num_layers: 1,
      num_decoder_layers: 1,
      ...ids,
      task_specific_params: {
        summarization: { prefix: SUMMARIZATION_PREFIX },
        translation: { prefix: TRANSLATION_PREFIX },
      },
      orch_builder: { kind: 'word-for-word encoder-decoder' },
    }),
  );
  files.set('generation_config.json', jsonBytes({ ...ids, max_length: 512 }));
  files.set('tokenizer.json', jsonBytes(tokenizerJson(tok)));
  files.set('tokenizer_config.json', jsonBytes(tokenizerConfigJson(tok)));
  files.set('onnx/encoder_model.onnx', encoderGraph(s));
  files.set('onnx/decoder_model_merged.onnx', decoderGraph(s));
  return files;
}
