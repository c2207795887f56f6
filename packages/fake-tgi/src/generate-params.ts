import { rawSeedDigits } from './raw-seed.js';
import {
  bool,
  expectObject,
  failDeserialize,
  isObject,
  optBool,
  optFloat,
  optInt,
  optStr,
  requireField,
  str,
  stringArray,
} from './serde-check.js';

/** A TGI validation failure; the text goes after `Input validation error: `. */
export class ValidationError extends Error {}

export interface Grammar {
  type: 'json' | 'regex' | 'json_schema';
  value: unknown;
}

export interface GenParams {
  inputs: string;
  bestOf: number | null;
  decoderInputDetails: boolean;
  details: boolean;
  doSample: boolean;
  frequencyPenalty: number | null;
  grammar: Grammar | null;
  maxNewTokens: number | null;
  repetitionPenalty: number | null;
  returnFullText: boolean | null;
  seed: number | null;
  /** Exact digits of the seed from the raw body (u64 safe). */
  seedRaw: string | null;
  stop: string[];
  temperature: number | null;
  topK: number | null;
  topNTokens: number | null;
  topP: number | null;
  truncate: number | null;
  typicalP: number | null;
  adapterId: string | null;
}

export function grammarOf(v: unknown, path: string): Grammar | null {
  if (v === undefined || v === null) return null;
  const g = expectObject(v, path, 'internally tagged enum GrammarType');
  const type = requireField(g, 'type', path);
  if (type !== 'json' && type !== 'json_object' && type !== 'regex' && type !== 'json_schema') {
    failDeserialize(
      `${path}.type`,
      `unknown variant \`${String(type)}\`, expected one of \`json\`, \`json_object\`, \`regex\`, \`json_schema\``,
    );
  }
  const value = requireField(g, 'value', path);
  return { type: type === 'json_object' ? 'json' : type, value };
}

/** Parses a GenerateRequest body; throws DeserializeError with serde's wording on bad shapes. */
export function parseGenerateRequest(body: unknown, rawBody: string): GenParams {
  const root = expectObject(body, '', 'struct GenerateRequest');
  const inputs = str(requireField(root, 'inputs', ''), 'inputs');
  const present = root.parameters !== undefined && root.parameters !== null;
  const p = present ? expectObject(root.parameters, 'parameters', 'struct GenerateParameters') : {};
  const at = (k: string): string => `parameters.${k}`;
  const seed = optInt(p.seed, at('seed'), 'u64');
  return {
    inputs,
    bestOf: optInt(p.best_of, at('best_of'), 'usize'),
    decoderInputDetails: bool(p.decoder_input_details, at('decoder_input_details'), false),
    details: bool(p.details, at('details'), false),
    // With no `parameters` object at all, TGI's defaults switch sampling on.
    doSample: bool(p.do_sample, at('do_sample'), !present),
    frequencyPenalty: optFloat(p.frequency_penalty, at('frequency_penalty')),
    grammar: grammarOf(p.grammar, at('grammar')),
    maxNewTokens: optInt(p.max_new_tokens, at('max_new_tokens'), 'u32'),
    repetitionPenalty: optFloat(p.repetition_penalty, at('repetition_penalty')),
    returnFullText: optBool(p.return_full_text, at('return_full_text')),
    seed,
    seedRaw: seed === null ? null : (rawSeedDigits(rawBody, seed) ?? null),
    stop: p.stop === undefined ? [] : stringArray(p.stop, at('stop')),
    temperature: optFloat(p.temperature, at('temperature')),
    topK: optInt(p.top_k, at('top_k'), 'i32'),
    topNTokens: optInt(p.top_n_tokens, at('top_n_tokens'), 'u32'),
    topP: optFloat(p.top_p, at('top_p')),
    truncate: optInt(p.truncate, at('truncate'), 'usize'),
    typicalP: optFloat(p.typical_p, at('typical_p')),
    adapterId: optStr(p.adapter_id, at('adapter_id')),
  };
}

/** Sampling as TGI decides it: do_sample, or any sampling warper set. */
export function isSampling(p: GenParams): boolean {
  return p.doSample || p.temperature !== null || p.topK !== null || p.topP !== null || p.typicalP !== null;
}

export interface Limits {
  maxInputTokens: number;
  maxTotalTokens: number;
  maxStopSequences: number;
  maxTopNTokens: number;
  maxBestOf: number;
}

function schemaOf(g: Grammar): unknown {
  if (g.type === 'json_schema') return isObject(g.value) ? g.value.schema : undefined;
  if (typeof g.value === 'string') {
    try {
      return JSON.parse(g.value) as unknown;
    } catch (e) {
      throw new ValidationError(`grammar is not valid: ${(e as Error).message}`);
    }
  }
  return g.value;
}

/** The JSON schema of a json/json_schema grammar (validated), or null for regex grammars. */
export function grammarSchema(g: Grammar): unknown {
  if (g.type === 'regex') {
    if (typeof g.value !== 'string') throw new ValidationError('grammar is not supported');
    return null;
  }
  const schema = schemaOf(g);
  if (!isObject(schema) || !('properties' in schema)) {
    throw new ValidationError("grammar is not valid: Grammar must have a 'properties' field");
  }
  return schema;
}

/**
 * TGI's parameter validation, in TGI's order (best_of, parameters, tokenization, total, input length,
 * grammar). Returns the input length after truncation.
 */
export function validateGenerate(p: GenParams, inputTokens: number, lim: Limits, nonStream: boolean): number {
  const bestOf = p.bestOf ?? 1;
  if (nonStream && bestOf !== 1) {
    if (!isSampling(p)) throw new ValidationError('you must use sampling when `best_of` is > 1');
    if (bestOf === 0 || bestOf > lim.maxBestOf) {
      throw new ValidationError(`\`best_of\` must be > 0 and <= ${lim.maxBestOf}. Given: ${bestOf}`);
    }
  }
  if (p.temperature !== null && !(p.temperature > 0)) {
    throw new ValidationError('`temperature` must be strictly positive');
  }
  if (p.repetitionPenalty !== null && !(p.repetitionPenalty > 0)) {
    throw new ValidationError('`repetition_penalty` must be strictly positive');
  }
  if (p.frequencyPenalty !== null && !(p.frequencyPenalty >= -2 && p.frequencyPenalty <= 2)) {
    throw new ValidationError('`frequency_penalty` must be >= -2.0 and <= 2.0');
  }
  if (p.topP !== null && !(p.topP > 0 && p.topP < 1)) {
    throw new ValidationError('`top_p` must be > 0.0 and < 1.0');
  }
  if (p.typicalP !== null && !(p.typicalP > 0 && p.typicalP < 1)) {
    throw new ValidationError('`typical_p` must be > 0.0 and < 1.0');
  }
  if (p.topK !== null && !(p.topK > 0)) throw new ValidationError('`top_k` must be strictly positive');
  if (p.maxNewTokens === 0) throw new ValidationError('`max_new_tokens` must be strictly positive');
  if (p.stop.length > lim.maxStopSequences) {
    throw new ValidationError(
      `\`stop\` supports up to ${lim.maxStopSequences} stop sequences. Given: ${p.stop.length}`,
    );
  }
  if (bestOf > 1 && p.seed !== null) throw new ValidationError('`seed` must not be set when `best_of` > 1');
  if (p.topNTokens !== null && p.topNTokens > lim.maxTopNTokens) {
    throw new ValidationError(
      `\`top_n_tokens\` must be >= 0 and <= ${lim.maxTopNTokens}. Given: ${p.topNTokens}`,
    );
  }
  if (p.inputs.length === 0) throw new ValidationError('`inputs` cannot be empty');
  if (p.truncate !== null && (p.truncate === 0 || p.truncate > lim.maxInputTokens)) {
    throw new ValidationError(
      `\`truncate\` must be strictly positive and less than ${lim.maxInputTokens}. Given: ${p.truncate}`,
    );
  }
  const inputLength = p.truncate !== null ? Math.min(inputTokens, p.truncate) : inputTokens;
  // TGI generates in 1024-token chunks, so only that much of max_new_tokens counts here.
  const counted = Math.min(p.maxNewTokens ?? 0, 1024);
  if (inputLength + counted > lim.maxTotalTokens) {
    throw new ValidationError(
      `\`inputs\` tokens + \`max_new_tokens\` must be <= ${lim.maxTotalTokens}. Given: ${inputLength} \`inputs\` tokens and ${counted} \`max_new_tokens\``,
    );
  }
  if (inputLength > lim.maxInputTokens) {
    throw new ValidationError(
      `\`inputs\` must have less than ${lim.maxInputTokens} tokens. Given: ${inputLength}`,
    );
  }
  if (p.grammar) grammarSchema(p.grammar);
  return inputLength;
}
