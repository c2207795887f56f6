import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeTgiOptions } from './types.js';

export interface SpawnedFakeTgi {
  url: string;
  port: number;
  pid: number;
  close(): Promise<void>;
}

/**
 * Starts the fake server in a child process (built dist only: it runs dist/cli.js). Faults can only be
 * given up front here; use startFakeTgi in-process when a test needs to change them or read requests.
 */
export function spawnFakeTgi(opts: FakeTgiOptions = {}): Promise<SpawnedFakeTgi> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli, JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer): void => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      cleanup();
      const info = JSON.parse(out.slice(0, nl)) as { url: string; port: number };
      resolve({
        url: info.url,
        port: info.port,
        pid: child.pid ?? -1,
        close: async () => {
          child.stdin?.end();
          await exited;
        },
      });
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`fake-tgi child exited early (code ${code})`));
    };
    const cleanup = (): void => {
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
