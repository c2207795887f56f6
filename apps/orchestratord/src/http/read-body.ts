import type { IncomingMessage } from 'node:http';
import { OrchError } from '@orch/adapter-api';

function bad(message: string, status = 400): OrchError {
  return new OrchError('INVALID_REQUEST', message, { status, field: '(body)', retriable: false });
}

function collect(req: IncomingMessage, limit: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Keep reading (and dropping) so the 413 can still be written on this connection.
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onEnd = () => {
      cleanup();
      if (over) reject(bad(`the request body is over the limit of ${limit} bytes`, 413));
      else resolve(chunks);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(bad(`the request body could not be read: ${err.message}`));
    };
    const onAborted = () => onError(new Error('the client aborted the request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Reads the whole body (at most `limit` bytes) and parses it as JSON; errors say what is wrong. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw bad(`the request body is ${declared} bytes; the limit is ${limit}`, 413);
  }
  const chunks = await collect(req, limit);
  if (chunks.length === 0) throw bad('the request body is empty; send a JSON object');
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw bad(`the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}
