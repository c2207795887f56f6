/** One fake-tokenizer piece: leading whitespace plus a run of non-whitespace, with byte offsets. */
export interface TokenPiece {
  id: number;
  text: string;
  start: number;
  stop: number;
}

const PIECE = /\s*\S+/g;

/** Deterministic stand-in for a tokenizer: every whitespace-separated word is one token. */
export function countTokens(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

export function tokenize(text: string): TokenPiece[] {
  const out: TokenPiece[] = [];
  let byte = 0;
  let last = 0;
  for (const m of text.matchAll(PIECE)) {
    byte += Buffer.byteLength(text.slice(last, m.index));
    const len = Buffer.byteLength(m[0]);
    out.push({ id: 10_000 + out.length, text: m[0], start: byte, stop: byte + len });
    byte += len;
    last = m.index + m[0].length;
  }
  return out;
}

/** The input token ids as `[{id,text,logprob}]` prefill entries (first logprob null, as TGI). */
export function prefillJson(text: string): string {
  const parts = tokenize(text).map(
    (p, i) => `{"id":${p.id},"text":${JSON.stringify(p.text)},"logprob":${i === 0 ? 'null' : '-2.5'}}`,
  );
  return `[${parts.join(',')}]`;
}
