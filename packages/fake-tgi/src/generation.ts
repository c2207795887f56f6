export type GenFinish = 'length' | 'eos_token' | 'stop_sequence';

export interface GenToken {
  id: number;
  text: string;
  /** Raw JSON number text, or `null` (TGI writes NaN logprobs, seen on EOS, as null). */
  logprob: string;
  special: boolean;
  /** Pre-serialised `{"id","text","logprob","special"}` in TGI's field order. */
  json: string;
}

export interface Generation {
  /** Generated token count (EOS included when generated). */
  count: number;
  /** Token i (0-based), built on demand so huge scripted answers cost nothing up front. */
  token(i: number): GenToken;
  finishReason: GenFinish;
  /** generated_text: the token texts with special tokens skipped (computed on first use). */
  readonly text: string;
}

export const EOS_ID = 2;
export const DEFAULT_SCRIPT_COUNT = 16;
const MARKER = /#tokens=(\d+)/;

/** Deterministic logprob of the i-th generated token (0-based), as TGI would write it. */
export function logprobText(i: number): string {
  return `-0.${(i % 7) + 1}`;
}

export function makeToken(id: number, text: string, logprob: string, special: boolean): GenToken {
  const json = `{"id":${id},"text":${JSON.stringify(text)},"logprob":${logprob},"special":${special}}`;
  return { id, text, logprob, special, json };
}

/** `#tokens=N` in the prompt asks for exactly N tokens, ending by length. */
export function markerCount(prompt: string): number | undefined {
  const m = MARKER.exec(prompt);
  return m ? Number(m[1]) : undefined;
}

/** A resolved script (see `TokenScript`). */
export type Script = { tokens: string[] } | { count: number };

export interface PlanInput {
  script: Script;
  eosText: string;
  /** Max tokens for this request (already resolved; null = no limit but the script's end). */
  limit: number | null;
  /** From a `#tokens=N` marker. */
  exact?: number;
  stop: readonly string[];
  /** Forced output pieces (grammar / tool JSON) used instead of the script. */
  forced?: readonly string[];
}

function scriptText(script: Script, i: number): string {
  if ('tokens' in script) {
    const len = script.tokens.length;
    return len === 0 ? '' : script.tokens[i % len]!;
  }
  return ` tok${i}`;
}

function scriptLength(script: Script): number {
  return 'tokens' in script ? script.tokens.length : script.count;
}

/**
 * Plans the tokens of one answer. Without a marker: the script, then EOS if the limit was not reached
 * (finish eos_token); with `#tokens=N`: N tokens finishing by length. A stop sequence ends it early.
 */
export function planGeneration(p: PlanInput): Generation {
  const forced = p.forced;
  const script = p.script;
  const textAt = forced ? (i: number) => forced[i]! : (i: number) => scriptText(script, i);
  const available = forced ? forced.length : (p.exact ?? scriptLength(script));
  const limit = p.limit ?? Number.POSITIVE_INFINITY;
  let n = Math.min(available, limit);
  let finish: GenFinish | undefined;
  const stops = p.stop.filter((s) => s.length > 0);
  if (stops.length > 0) {
    // Only a window as long as the longest stop sequence matters; avoids re-flattening a growing string.
    const keep = Math.max(...stops.map((s) => s.length));
    let tail = '';
    for (let i = 0; i < n; i++) {
      tail = (tail + textAt(i)).slice(-keep);
      if (stops.some((s) => tail.endsWith(s))) {
        n = i + 1;
        finish = 'stop_sequence';
        break;
      }
    }
  }
  const hardEnd = p.exact !== undefined && !forced;
  const eos = finish === undefined && !(n >= limit || hardEnd);
  finish ??= eos ? 'eos_token' : 'length';
  const eosToken = makeToken(EOS_ID, p.eosText, 'null', true);
  const base = forced ? 3000 : 1000;
  let text: string | undefined;
  return {
    count: n + (eos ? 1 : 0),
    token: (i) => (i < n ? makeToken(base + i, textAt(i), logprobText(i), false) : eosToken),
    finishReason: finish,
    get text() {
      if (text === undefined) {
        const parts: string[] = new Array(n);
        for (let i = 0; i < n; i++) parts[i] = textAt(i);
        text = parts.join('');
      }
      return text;
    },
  };
}

/** Every token of a generation (for non-stream bodies). */
export function allTokens(gen: Generation): GenToken[] {
  const out: GenToken[] = new Array(gen.count);
  for (let i = 0; i < gen.count; i++) out[i] = gen.token(i);
  return out;
}

/** Splits JSON text into lexeme-sized pieces, the way a tokenizer would spread it over tokens. */
export function splitJsonPieces(json: string): string[] {
  return json.match(/\s*(?:[{}[\],:]|"(?:[^"\\]|\\.)*"|[^\s{}[\],:"]+)/g) ?? [];
}

/** top_tokens for one generated token: the token itself, then deterministic lower-ranked alternatives. */
export function topTokensJson(tok: GenToken, n: number): string {
  if (n <= 0) return '[]';
  const base = tok.logprob === 'null' ? -1 : Number(tok.logprob);
  const parts = [tok.json];
  for (let k = 1; k < n; k++) {
    parts.push(
      `{"id":${5000 + k},"text":" alt${k}","logprob":${Math.round((base - k) * 10) / 10},"special":false}`,
    );
  }
  return `[${parts.join(',')}]`;
}
