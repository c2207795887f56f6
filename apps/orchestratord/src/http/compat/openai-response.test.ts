import { describe, expect, it } from 'vitest';
import { chatChunk, completionChunk, completionChunker, contentChunker } from './openai-response.js';

const meta = { id: 'chatcmpl-1', created: 1700000000, model: 'org/"odd" model' };
const texts = ['Hello', ' "quoted"\n', '\\', '\u0000', 'é💡', ''];

describe('pre-serialised stream chunks', () => {
  it('[ORCHD-COMPAT-3] contentChunker writes the same bytes as chatChunk for any token text', () => {
    for (const withUsage of [false, true]) {
      const fast = contentChunker(meta, withUsage);
      for (const t of texts) expect(fast(t)).toBe(chatChunk(meta, { content: t }, null, withUsage));
    }
  });

  it('[ORCHD-COMPAT-3] completionChunker writes the same bytes as completionChunk', () => {
    for (const withUsage of [false, true]) {
      const fast = completionChunker(meta, withUsage);
      for (const t of texts) expect(fast(t)).toBe(completionChunk(meta, t, null, withUsage));
    }
  });
});
