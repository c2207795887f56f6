import { buildCausalLm, CAUSAL_LM_NAME } from './causal-lm.js';
import { buildFillMaskModel, FILL_MASK_MODEL_NAME } from './fill-mask-model.js';
import { type ModelFiles, writeModelFolder } from './model-folder.js';
import { buildQuestionAnsweringModel, QA_MODEL_NAME } from './question-answering-model.js';
import { buildSeq2SeqModel, SEQ2SEQ_MODEL_NAME } from './seq2seq-model.js';
import { buildSentimentModel, SENTIMENT_MODEL_NAME } from './text-classification-model.js';

export interface BuiltModel {
  name: string;
  dir: string;
  files: string[];
  bytes: number;
}

/** Every model the repo ships, by folder name. */
export function buildAllModelFiles(): Map<string, ModelFiles> {
  const models = new Map<string, ModelFiles>();
  models.set(CAUSAL_LM_NAME, buildCausalLm().files);
  models.set(SEQ2SEQ_MODEL_NAME, buildSeq2SeqModel());
  models.set(QA_MODEL_NAME, buildQuestionAnsweringModel());
  models.set(FILL_MASK_MODEL_NAME, buildFillMaskModel());
  models.set(SENTIMENT_MODEL_NAME, buildSentimentModel());
  return models;
}

/** Writes every model folder under `root` (replacing older copies) and lists what was written. */
export async function buildAllModels(root: string): Promise<BuiltModel[]> {
  const out: BuiltModel[] = [];
  for (const [name, files] of buildAllModelFiles()) {
    const dir = await writeModelFolder(root, name, files);
    let bytes = 0;
    for (const b of files.values()) bytes += b.length;
    out.push({ name, dir, files: [...files.keys()], bytes });
  }
  return out;
}
