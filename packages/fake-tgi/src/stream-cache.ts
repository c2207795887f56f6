/** One recorded stream body: the socket writes as made, with the token count reached after each. */
export interface CachedStream {
  chunks: Buffer[];
  tokensAfter: number[];
  bytes: number;
}

const MAX_ENTRIES = 32;
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Replays byte-identical streams for repeated identical requests (benchmarks send the same body
 * hundreds of times), so the fake spends almost no CPU per token. Only fault-free streams whose bytes
 * depend on nothing but the request are cached (/generate_stream; chat and completions key on their `created` second).
 */
export class StreamCache {
  private entries = new Map<string, CachedStream>();
  private bytes = 0;

  get(key: string): CachedStream | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, chunks: string[], tokensAfter: number[]): void {
    const bufs = chunks.map((c) => Buffer.from(c));
    const size = bufs.reduce((n, b) => n + b.length, 0);
    if (size > MAX_BYTES / 4 || this.entries.has(key)) return;
    this.entries.set(key, { chunks: bufs, tokensAfter, bytes: size });
    this.bytes += size;
    while (this.entries.size > MAX_ENTRIES || this.bytes > MAX_BYTES) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.bytes -= this.entries.get(oldest)?.bytes ?? 0;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
