import type { IncomingMessage } from 'node:http';

export interface ReadBody {
  raw: string;
  /** More than the payload limit arrived (the excess is read and dropped). */
  tooLarge: boolean;
}

/** Reads the whole body, keeping at most `limit` bytes, resolving early if the client goes away. */
export function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(c);
    };
    const done = (): void => {
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve({ raw: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge });
    };
    req.on('data', onData);
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
  });
}

/** axum's check: `application/json` or any `+json` subtype, parameters allowed. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const mime = value.split(';')[0]!.trim().toLowerCase();
  const [type, subtype] = mime.split('/');
  return type === 'application' && subtype !== undefined && (subtype === 'json' || subtype.endsWith('+json'));
}

/** Translates a JSON.parse failure into serde's `... at line L column C` form. */
export function jsonSyntaxText(raw: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(msg);
  const offset = pos ? Number(pos[1]) : raw.length;
  const before = raw.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const what = offset >= raw.trimEnd().length ? 'EOF while parsing a value' : 'expected value';
  return `Failed to parse the request body as JSON: ${what} at line ${line} column ${column}`;
}
