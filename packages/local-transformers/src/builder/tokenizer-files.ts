import type { Vocabulary } from './vocabulary.js';

/** One piece of a TemplateProcessing template: a special token, or sequence A / B. */
export type TemplatePiece = { special: string; typeId?: number } | { sequence: 'A' | 'B'; typeId?: number };

export interface TokenizerTemplate {
  single: readonly TemplatePiece[];
  pair?: readonly TemplatePiece[];
}

export interface TokenizerOptions {
  vocab: Vocabulary;
  template?: TokenizerTemplate;
  /** Extra tokenizer_config.json fields: special token names, chat_template, etc. */
  config: Record<string, unknown>;
}

function templateJson(pieces: readonly TemplatePiece[]): unknown[] {
  return pieces.map((p) =>
    'special' in p
      ? { SpecialToken: { id: p.special, type_id: p.typeId ?? 0 } }
      : { Sequence: { id: p.sequence, type_id: p.typeId ?? 0 } },
  );
}

function postProcessor(vocab: Vocabulary, template: TokenizerTemplate | undefined): unknown {
  if (!template) return null;
  const names = new Set<string>();
  for (const p of [...template.single, ...(template.pair ?? [])]) if ('special' in p) names.add(p.special);
  const specialTokens: Record<string, unknown> = {};
  for (const name of [...names].sort())
    specialTokens[name] = { id: name, ids: [vocab.id(name)], tokens: [name] };
  return {
    type: 'TemplateProcessing',
    single: templateJson(template.single),
    pair: templateJson(template.pair ?? template.single),
    special_tokens: specialTokens,
  };
}

/** tokenizer.json: WordLevel model, Lowercase normaliser, Whitespace pre-tokenizer. */
export function tokenizerJson(opts: TokenizerOptions): unknown {
  const { vocab } = opts;
  const vocabObject: Record<string, number> = {};
  vocab.tokens.forEach((t, i) => {
    vocabObject[t] = i;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: vocab.specials.map((content) => ({
      id: vocab.id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: postProcessor(vocab, opts.template),
    decoder: null,
    model: { type: 'WordLevel', vocab: vocabObject, unk_token: vocab.unkToken },
  };
}

/** tokenizer_config.json: transformers.js will not build a tokenizer without it. */
export function tokenizerConfigJson(opts: TokenizerOptions): unknown {
  return {
    tokenizer_class: 'PreTrainedTokenizer',
    clean_up_tokenization_spaces: true,
    model_max_length: 512,
    unk_token: opts.vocab.unkToken,
    ...opts.config,
  };
}
