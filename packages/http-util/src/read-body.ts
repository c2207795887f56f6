import type { Readable } from 'node:stream';

export interface BodyText {
  text: string;
  bytes: number;
  truncated: boolean;
}

/**
 * Reads a response body as UTF-8, keeping at most `limit` bytes; past that the rest is not read
 * and the body is destroyed (so a huge or endless body can't exhaust memory).
 */
export async function readBodyText(body: Readable, limit: number): Promise<BodyText> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = limit - bytes;
    if (chunk.length > room) {
      if (room > 0) chunks.push(chunk.subarray(0, room));
      bytes += Math.max(0, room);
      truncated = true;
      break;
    }
    chunks.push(chunk);
    bytes += chunk.length;
  }
  if (truncated && !body.destroyed) body.destroy();
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  return { text, bytes, truncated };
}

/** Discards a body we have no use for, without letting a late error escape as unhandled. */
export function discardBody(body: Readable): void {
  if (body.destroyed) return;
  body.on('error', () => {});
  body.destroy();
}
