import type { OrchError, TopLogprob } from '@orch/adapter-api';
import { isObj, protocol } from './wire-checks.js';

// Top-logprob alternatives as the two wire formats carry them (ADAPTER-LOGPROB-1, TGI-LOGPROB-1/2):
// TGI's generate route sends `Token`s, the OpenAI-style chat route `{token, logprob}` entries. Both
// are read with cheap field checks, since they arrive with every token of a job that asked for them.

function malformed(what: string, data: string): OrchError {
  return protocol(`The engine sent malformed ${what}`, data);
}

/**
 * TGI's `top_tokens` (`[{id, text, logprob, special}]`) → alternatives. Undefined when there are none
 * (TGI leaves the key out then; an empty list means the same). `data` is the event, for the error.
 */
export function tgiAlternatives(list: unknown, data: string): TopLogprob[] | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw malformed('top_tokens', data);
  if (list.length === 0) return undefined;
  const out: TopLogprob[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const t: unknown = list[i];
    if (!isObj(t) || typeof t.text !== 'string') throw malformed('top_tokens', data);
    const { id, text, logprob, special } = t;
    // NaN serialises as null in TGI; keep it rather than invent a number.
    if (typeof logprob !== 'number' && logprob !== null) throw malformed('top_tokens', data);
    const alt: TopLogprob = { text, logprob };
    if (typeof id === 'number') alt.id = id;
    if (typeof special === 'boolean') alt.special = special;
    out[i] = alt;
  }
  return out;
}

/**
 * An OpenAI-style `top_logprobs` (`[{token, logprob, bytes?}]`, TGI's chat route and the HF router)
 * → alternatives; undefined when there are none (TGI sends `[]` when only `logprobs` was asked).
 */
export function openAiAlternatives(list: unknown, data: string): TopLogprob[] | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw malformed('top_logprobs', data);
  if (list.length === 0) return undefined;
  const out: TopLogprob[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const t: unknown = list[i];
    if (!isObj(t) || typeof t.token !== 'string') throw malformed('top_logprobs', data);
    const logprob = t.logprob;
    if (typeof logprob !== 'number' && logprob !== null) throw malformed('top_logprobs', data);
    out[i] = { text: t.token, logprob };
  }
  return out;
}
