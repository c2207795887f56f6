/**
 * A word-level vocabulary that splits text exactly like the tokenizer.json it is written into
 * (Lowercase normaliser, then the `Whitespace` pre-tokenizer's /\w+|[^\w\s]+/ with special tokens
 * matched first), so models can be trained on ids the runtime tokenizer will reproduce.
 */
const WORD_PATTERN = /\w+|[^\w\s]+/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Vocabulary {
  readonly tokens: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly specialSet = new Set<string>();
  private specialPattern: RegExp | null = null;

  /** Special tokens get the first ids, in the given order. */
  constructor(
    readonly specials: readonly string[],
    readonly unkToken: string,
  ) {
    for (const s of specials) this.add(s);
    for (const s of specials) this.specialSet.add(s);
    if (!this.ids.has(unkToken)) throw new Error(`unk token ${unkToken} must be one of the special tokens`);
    this.specialPattern = new RegExp(`(${specials.map(escapeRegExp).join('|')})`);
  }

  get size(): number {
    return this.tokens.length;
  }

  add(token: string): number {
    const known = this.ids.get(token);
    if (known !== undefined) return known;
    const id = this.tokens.length;
    this.tokens.push(token);
    this.ids.set(token, id);
    return id;
  }

  id(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`token not in vocabulary: ${token}`);
    return id;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  isSpecial(id: number): boolean {
    const t = this.tokens[id];
    return t !== undefined && this.specialSet.has(t);
  }

  /** Splits text into token strings (specials kept whole, everything else lower-cased words). */
  split(text: string): string[] {
    const out: string[] = [];
    const parts = this.specialPattern ? text.split(this.specialPattern) : [text];
    for (const part of parts) {
      if (this.specialSet.has(part)) out.push(part);
      else for (const m of part.toLowerCase().match(WORD_PATTERN) ?? []) out.push(m);
    }
    return out;
  }

  /** Adds every word of `text` (in order of first appearance) and returns its ids. */
  learn(text: string): number[] {
    return this.split(text).map((t) => this.add(t));
  }

  encode(text: string): number[] {
    const unk = this.id(this.unkToken);
    return this.split(text).map((t) => this.ids.get(t) ?? unk);
  }
}
