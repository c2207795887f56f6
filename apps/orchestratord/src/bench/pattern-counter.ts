// Counts occurrences of a byte pattern in a chunked body without joining the chunks, so the bench
// client stays cheap next to the process it measures. A match split across two chunks still counts.
export class PatternCounter {
  private readonly pattern: Buffer;
  private tail: Buffer = Buffer.alloc(0);
  count = 0;

  constructor(pattern: string) {
    this.pattern = Buffer.from(pattern);
  }

  /** Feeds a chunk; returns how many new matches it completed. */
  push(chunk: Buffer): number {
    const buf = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    let n = 0;
    let at = buf.indexOf(this.pattern);
    while (at >= 0) {
      n++;
      at = buf.indexOf(this.pattern, at + this.pattern.length);
    }
    // Keep just enough bytes to complete a match that straddles the boundary (never a whole match).
    const keep = Math.min(this.pattern.length - 1, buf.length);
    this.tail = Buffer.from(buf.subarray(buf.length - keep));
    if (n > 0 && keep > 0) {
      // The kept bytes must not include the end of a match already counted.
      const last = buf.lastIndexOf(this.pattern);
      const cut = last + this.pattern.length;
      if (cut > buf.length - keep) this.tail = Buffer.from(buf.subarray(cut));
    }
    this.count += n;
    return n;
  }
}
