import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flatUuid } from './flat-uuid.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('task objects', () => {
  it('[ADAPTER-TASK-2] regression: tasks from parseTask/withTimeouts share one hidden class (a spread gave each its own)', () => {
    // V8's own answer, from a child with natives syntax; the daemon mixes several task shapes at
    // the same sites, which is what made the spread copies unique, so the script does too.
    const script = `
      const { parseTask, withTimeouts } = await import(${JSON.stringify(dist)});
      const same = new Function('a', 'b', 'return %HaveSameMap(a, b)');
      for (let i = 0; i < 200; i++) {
        parseTask({ prompt: 'p' + i, max_tokens: i % 7 + 1, priority: i % 2 ? 'batch' : 'interactive' });
        parseTask({ messages: [{ role: 'user', content: 'm' }], stream: i % 3 === 0, job_id: 'j' + i });
      }
      const chat = () => parseTask({ messages: [{ role: 'user', content: 'hi' }], priority: 'interactive', stream: false });
      const a = chat(), b = chat();
      const ta = withTimeouts(a, { idle_ms: 5 }), tb = withTimeouts(b, { idle_ms: 5 });
      process.stdout.write(JSON.stringify([same(a, b), same(ta, tb), typeof a.job_id, ta.timeouts.idle_ms]));
    `;
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(out)).toEqual([true, true, 'string', 5]);
  });

  it('[ADAPTER-TASK-2] generated ids are UUIDs, one flat string each', () => {
    const ids = new Set(Array.from({ length: 100 }, () => flatUuid()));
    expect(ids.size).toBe(100);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
