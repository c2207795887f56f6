import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The files of one model folder, relative path → content, in a fixed order. */
export type ModelFiles = Map<string, Uint8Array>;

export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** Replaces `<root>/<name>` with exactly `files`, so stale files from an older build never linger. */
export async function writeModelFolder(root: string, name: string, files: ModelFiles): Promise<string> {
  const dir = join(root, name);
  await rm(dir, { recursive: true, force: true });
  for (const [rel, bytes] of files) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
  return dir;
}
