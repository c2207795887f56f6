import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Canceller } from './canceller.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('Canceller', () => {
  it('[ADAPTER-CANCEL-4] runs each listener once, in order, with the reason set; removed and late ones never', () => {
    const c = new Canceller();
    const seen: string[] = [];
    const a = () => seen.push(`a:${String(c.reason)}`);
    const b = () => seen.push('b');
    const removed = () => seen.push('removed');
    c.addEventListener('abort', a);
    c.addEventListener('abort', removed);
    c.addEventListener('abort', b, { once: true });
    c.removeEventListener('abort', removed);
    expect(c.aborted).toBe(false);
    c.abort('why');
    c.abort('again');
    c.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual(['a:why', 'b']);
    expect(c.aborted).toBe(true);
    expect(c.reason).toBe('why');
    expect(() => c.throwIfAborted()).toThrow('why');
  });

  it('[ADAPTER-CANCEL-4] a throwing listener does not stop the others; its error surfaces uncaught', () => {
    // In a child: an uncaught error is what the test looks for, and it ends that process.
    const script = `
      const { Canceller } = await import(${JSON.stringify(dist)});
      const c = new Canceller();
      c.addEventListener('abort', () => { throw new Error('listener broke'); });
      c.addEventListener('abort', () => process.stdout.write('after:' + c.reason.name));
      c.abort();
    `;
    let out: { status: number | null; stdout: string; stderr: string };
    try {
      const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
      out = { status: 0, stdout, stderr: '' };
    } catch (err) {
      out = err as { status: number | null; stdout: string; stderr: string };
    }
    expect(out.stdout).toBe('after:AbortError');
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('listener broke');
  });

  it('[ADAPTER-CANCEL-4] signal is a real AbortSignal that follows, whether read before or after the abort', () => {
    const before = new Canceller();
    const early = before.signal;
    expect(early).toBeInstanceOf(AbortSignal);
    expect(before.signal).toBe(early);
    let fired = 0;
    early.addEventListener('abort', () => fired++);
    const any = AbortSignal.any([early]);
    before.abort('stop');
    expect([early.aborted, early.reason, fired, any.aborted, any.reason]).toEqual([
      true,
      'stop',
      1,
      true,
      'stop',
    ]);

    const after = new Canceller();
    after.abort('done');
    expect([after.signal.aborted, after.signal.reason]).toEqual([true, 'done']);
  });

  it('[ADAPTER-CANCEL-4] regression: cancellers die young (an AbortSignal per job was promoted by every scavenge)', () => {
    // Old-space growth across minor GCs only, in a child with --expose-gc: 100k cancellers with a
    // listener each would be ~10 MB if they were promoted; AbortSignals are printed for contrast.
    const script = `
      const { Canceller } = await import(${JSON.stringify(dist)});
      const { getHeapSpaceStatistics } = await import('node:v8');
      const old = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
      const noop = () => {};
      const grow = (make) => {
        globalThis.gc();
        const before = old();
        for (let r = 0; r < 50; r++) {
          for (let i = 0; i < 2000; i++) make().addEventListener('abort', noop);
          globalThis.gc({ type: 'minor' });
        }
        return old() - before;
      };
      const canceller = grow(() => new Canceller());
      const signal = grow(() => new AbortController().signal);
      process.stdout.write(JSON.stringify({ canceller, signal }));
    `;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const { canceller, signal } = JSON.parse(out) as { canceller: number; signal: number };
    expect(canceller, `old space grew ${canceller} B (AbortSignal: ${signal} B)`).toBeLessThan(1_000_000);
  });
});
