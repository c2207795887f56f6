import { CAUSAL_LM_NAME } from '../builder/causal-lm.js';
import { FILL_MASK_MODEL_NAME } from '../builder/fill-mask-model.js';
import { QA_MODEL_NAME } from '../builder/question-answering-model.js';
import { SEQ2SEQ_MODEL_NAME } from '../builder/seq2seq-model.js';
import { SENTIMENT_MODEL_NAME } from '../builder/text-classification-model.js';
import type { ModelRecord } from './model-record.js';

type Seed = Omit<ModelRecord, 'added_date' | 'last_used' | 'usage_count'>;

/** The repo's own models, registered in a new registry file. */
export const DEFAULT_RECORDS: readonly Seed[] = [
  {
    model_id: CAUSAL_LM_NAME,
    name: 'orch tiny llama',
    model_type: 'text-generation',
    source: CAUSAL_LM_NAME,
    description: 'Word-level n-gram causal LM in the llama ONNX layout with a KV cache (built by the repo)',
    parameters: { max_new_tokens: 64 },
    status: 'available',
  },
  {
    model_id: SEQ2SEQ_MODEL_NAME,
    name: 'orch tiny t5',
    model_type: 'text2text-generation',
    source: SEQ2SEQ_MODEL_NAME,
    description: 'Word-for-word encoder-decoder: English→French translation and filler-word summaries',
    parameters: { max_new_tokens: 64 },
    status: 'available',
  },
  {
    model_id: QA_MODEL_NAME,
    name: 'orch tiny qa',
    model_type: 'question-answering',
    source: QA_MODEL_NAME,
    description: 'Extractive question answering by word overlap',
    parameters: {},
    status: 'available',
  },
  {
    model_id: FILL_MASK_MODEL_NAME,
    name: 'orch tiny bert',
    model_type: 'fill-mask',
    source: FILL_MASK_MODEL_NAME,
    description: 'Bigram masked language model',
    parameters: {},
    status: 'available',
  },
  {
    model_id: SENTIMENT_MODEL_NAME,
    name: 'orch tiny sentiment',
    model_type: 'sentiment-analysis',
    source: SENTIMENT_MODEL_NAME,
    description: 'Bag-of-words POSITIVE / NEGATIVE classifier',
    parameters: {},
    status: 'available',
  },
];
