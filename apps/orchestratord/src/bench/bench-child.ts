// The parent side of a bench child process: a node process on its own core with an IPC channel for
// control messages (ready, RSS, fault changes, abort reports). Every child is killed when the bench
// exits, fails or is interrupted, so a crashed run never leaves a daemon or a fake server behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildMessage {
  type: string;
  id?: number;
  [k: string]: unknown;
}

export interface BenchChild {
  pid: number;
  /** The `ready` message the child sent once listening. */
  ready: ChildMessage;
  /** Sends a request and resolves with the child's reply (same id). */
  request(msg: ChildMessage, timeoutMs?: number): Promise<ChildMessage>;
  /** Unsolicited messages (no id), e.g. abort reports. Returns an unsubscribe function. */
  onEvent(cb: (msg: ChildMessage) => void): () => void;
  /** Lines the child wrote to stdout (its logs); counted, first few kept. */
  readonly logLines: { count: number; first: string[] };
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of live) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

function isMessage(m: unknown): m is ChildMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

/** Starts `dist/bench/<script>` and waits (bounded) for its `ready` message. */
export function spawnBenchChild(
  script: string,
  arg: unknown,
  execArgv: string[] = [],
  readyTimeoutMs = 15_000,
): Promise<BenchChild> {
  hookExit();
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...execArgv, file, JSON.stringify(arg)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  live.add(child);
  let closing = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    // A child that dies on its own mid-run (a daemon crash) must not pass silently as slow figures.
    if (!closing)
      process.stderr.write(`bench: ${script} exited unexpectedly (code ${code}, signal ${signal})\n`);
  });
  void exited.then(() => live.delete(child));
  const logLines = { count: 0, first: [] as string[] };
  let carry = '';
  child.stdout?.on('data', (c: Buffer) => {
    const lines = (carry + c.toString()).split('\n');
    carry = lines.pop() ?? '';
    for (const l of lines) {
      logLines.count++;
      if (logLines.first.length < 5) logLines.first.push(l.slice(0, 300));
    }
  });
  const waiting = new Map<number, (m: ChildMessage) => void>();
  const listeners = new Set<(m: ChildMessage) => void>();
  let nextId = 1;
  let readyMsg: ChildMessage | undefined;
  let onReady: ((m: ChildMessage) => void) | undefined;
  child.on('message', (m: unknown) => {
    if (!isMessage(m)) return;
    if (m.type === 'ready') {
      readyMsg = m;
      onReady?.(m);
      return;
    }
    if (m.id !== undefined) {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      w?.(m);
      return;
    }
    for (const l of listeners) l(m);
  });

  const handle = (ready: ChildMessage): BenchChild => ({
    pid: child.pid ?? -1,
    ready,
    logLines,
    request(msg, timeoutMs = 30_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${script}: no reply to '${msg.type}' within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        child.send({ ...msg, id });
      });
    },
    onEvent(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    async close() {
      closing = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      closing = true;
      child.kill('SIGKILL');
      reject(new Error(`${script}: not ready within ${readyTimeoutMs} ms`));
    }, readyTimeoutMs);
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${script}: exited before it was ready (code ${code})`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('exit', onExit);
      onReady = undefined;
    };
    child.once('exit', onExit);
    if (readyMsg) {
      cleanup();
      resolve(handle(readyMsg));
      return;
    }
    onReady = (m) => {
      cleanup();
      resolve(handle(m));
    };
  });
}

/** For the child side: reply to a request, keeping its id. */
export function reply(req: ChildMessage, body: Omit<ChildMessage, 'id'>): void {
  process.send?.({ ...body, id: req.id });
}

/** For the child side: exit when the parent goes away (IPC closed) or asks us to stop. */
export function exitWithParent(stop: () => Promise<void>): void {
  const go = () => {
    const timer = setTimeout(() => process.exit(0), 3_000);
    timer.unref();
    void stop().finally(() => process.exit(0));
  };
  process.once('disconnect', go);
  process.once('SIGTERM', go);
  process.once('SIGINT', go);
}
