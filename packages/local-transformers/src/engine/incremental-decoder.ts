/**
 * Turns a growing list of token ids into per-token text deltas without re-decoding the whole output
 * each step: only the ids since the last emitted boundary are decoded, with the previous window as
 * left context so joining spaces and clean-up rules come out as in a full decode.
 */
export class IncrementalDecoder {
  private readonly ids: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;

  private readonly decode: (ids: number[]) => string;

  constructor(decode: (ids: number[]) => string) {
    this.decode = (ids) => (ids.length === 0 ? '' : decode(ids));
  }

  /** Appends one id and returns the text it adds (possibly empty, e.g. for a special token). */
  push(id: number): string {
    this.ids.push(id);
    const prefixText = this.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const fullText = this.decode(this.ids.slice(this.prefixOffset));
    // U+FFFD means a multi-byte character is not complete yet: wait for the next token.
    if (
      fullText.length > prefixText.length &&
      !fullText.endsWith('\uFFFD') &&
      fullText.startsWith(prefixText)
    ) {
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
      return fullText.slice(prefixText.length);
    }
    return '';
  }

  /** Text still held back at the end (an incomplete character), to flush when generation ends. */
  rest(): string {
    const prefixText = this.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const fullText = this.decode(this.ids.slice(this.prefixOffset));
    return fullText.startsWith(prefixText) ? fullText.slice(prefixText.length) : '';
  }
}
