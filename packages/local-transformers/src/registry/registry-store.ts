import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OrchError } from '@orch/adapter-api';
import { type RegistryFile, RegistryFileSchema } from './model-record.js';

/** The registry file exists but is not a complete, valid registry. It is never overwritten. */
export class RegistryCorruptError extends OrchError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('INTERNAL', `Model registry ${path} is corrupt (${reason}); fix or move it, it was not replaced`, {
      retriable: false,
    });
    this.name = 'RegistryCorruptError';
  }
}

const TEMP_MARK = '.tmp-';

/**
 * Reads and writes the registry JSON atomically: a write goes to a temp file in the same folder,
 * is fsynced, then renamed over the old file (and the folder fsynced), so a crash leaves either
 * the old or the new registry, never a mix.
 */
export class RegistryStore {
  constructor(readonly path: string) {}

  /** The stored registry, or undefined when there is no file yet. Throws RegistryCorruptError. */
  async read(): Promise<RegistryFile | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new RegistryCorruptError(this.path, `not valid JSON: ${(err as Error).message}`);
    }
    const parsed = RegistryFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RegistryCorruptError(
        this.path,
        `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
      );
    }
    return parsed.data;
  }

  async write(data: RegistryFile): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const temp = join(
      dir,
      `${basename(this.path)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.path);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  /** Removes temp files a crashed writer left behind (they never hold the live registry). */
  async removeStaleTemps(): Promise<number> {
    const dir = dirname(this.path);
    const prefix = `${basename(this.path)}${TEMP_MARK}`;
    let removed = 0;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const pid = Number(name.slice(prefix.length).split('-')[0]);
      if (pid === process.pid || isAlive(pid)) continue;
      await unlink(join(dir, name)).catch(() => {});
      removed++;
    }
    return removed;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
