import type { GraphBuilder } from './graph-builder.js';
import { jsonBytes, type ModelFiles } from './model-folder.js';
import { type TokenizerOptions, tokenizerConfigJson, tokenizerJson } from './tokenizer-files.js';

export interface BertFolderSpec {
  /** e.g. `BertForMaskedLM`: what transformers.js picks the pipeline's model class by. */
  architecture: string;
  tok: TokenizerOptions;
  /** Task-specific config keys (labels…), written after the shared size keys. */
  extraConfig?: Record<string, unknown>;
  /** What the builder made, recorded in config.json as `orch_builder.kind`. */
  kind: string;
  graph: GraphBuilder;
  /** The ONNX model's doc string. */
  description: string;
}

/** The files of a one-layer BERT-layout model folder: config, tokenizer and the ONNX graph. */
export function bertFolder(spec: BertFolderSpec): ModelFiles {
  const { vocab } = spec.tok;
  const files: ModelFiles = new Map();
  files.set(
    'config.json',
    jsonBytes({
      architectures: [spec.architecture],
      model_type: 'bert',
      vocab_size: vocab.size,
      hidden_size: 1,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      ...spec.extraConfig,
      pad_token_id: vocab.id('[PAD]'),
      orch_builder: { kind: spec.kind },
    }),
  );
  files.set('tokenizer.json', jsonBytes(tokenizerJson(spec.tok)));
  files.set('tokenizer_config.json', jsonBytes(tokenizerConfigJson(spec.tok)));
  files.set('onnx/model.onnx', spec.graph.toBytes(spec.description));
  return files;
}
