import { spawn } from 'node:child_process';

/** A server some script started in a child process, as the child announced it on its first stdout line. */
export interface ChildServer {
  url: string;
  /** -1 when the child did not say. */
  port: number;
  pid: number;
  /** Ends the child's stdin (its cue to close) and waits until it has exited. */
  close(): Promise<void>;
}

/**
 * Runs `script` with node in a child process (so a benchmark's client and the server use different cores)
 * and resolves once the child prints its `{"url":...}` line; rejects if the child exits before that.
 */
export function spawnChildServer(script: string, args: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer): void => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      cleanup();
      const info = JSON.parse(out.slice(0, nl)) as { url: string; port?: number };
      resolve({
        url: info.url,
        port: info.port ?? -1,
        pid: child.pid ?? -1,
        close: async () => {
          child.stdin?.end();
          await exited;
        },
      });
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`server child ${script} exited early (code ${code})`));
    };
    const cleanup = (): void => {
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * The child's side of spawnChildServer: announces `server` on stdout, then closes it and exits on
 * SIGTERM/SIGINT or when the parent closes our stdin (or dies).
 */
export function serveToParent(server: { url: string; port?: number; close(): Promise<void> }): void {
  process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.once('end', stop);
  process.stdin.resume();
}
