import { describe, expect, it } from 'vitest';
import { isOrchError } from './errors.js';
import { parseTask, withTimeouts } from './task.js';

function fieldOf(input: unknown): string | undefined {
  try {
    parseTask(input);
  } catch (e) {
    if (isOrchError(e) && e.code === 'INVALID_REQUEST') return e.field;
    throw e;
  }
  return undefined;
}

describe('TaskRequest validation', () => {
  it('[ADAPTER-TASK-1] names the offending field', () => {
    expect(fieldOf({})).toBe('prompt');
    expect(fieldOf({ prompt: 'a', messages: [{ role: 'user', content: 'b' }] })).toBe('messages');
    expect(fieldOf({ messages: [{ role: 'user' }] })).toBe('messages.0.content');
    expect(fieldOf({ prompt: 'a', top_p: 0 })).toBe('top_p');
    expect(fieldOf({ prompt: 'a', unknown_field: 1 })).toBe('(root)');
    expect(fieldOf({ prompt: 'a', timeouts: { idle_ms: -1 } })).toBe('timeouts.idle_ms');
    expect(fieldOf({ prompt: 'a', tool_choice: { type: 'function', function: { name: 'f' } } })).toBe(
      'tool_choice',
    );
    expect(fieldOf({ messages: [{ role: 'tool', content: 'x' }] })).toBe('messages.0.tool_call_id');
  });

  it('[ADAPTER-TASK-1] accepts a full task and fills defaults', () => {
    const task = parseTask({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'assistant', tool_calls: [{ id: '0', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', content: '42', tool_call_id: '0' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
      response_format: { type: 'regex', pattern: '[a-z]+' },
      stop: ['\n'],
    });
    expect(task.job_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(task.priority).toBe('interactive');
  });

  it('[ADAPTER-TASK-3] keeps u64 seeds exact as decimal strings', () => {
    expect(parseTask({ prompt: 'a', seed: '18446744073709551615' }).seed).toBe('18446744073709551615');
    expect(parseTask({ prompt: 'a', seed: 42 }).seed).toBe('42');
    expect(parseTask({ prompt: 'a', seed: 2n ** 63n }).seed).toBe('9223372036854775808');
    expect(fieldOf({ prompt: 'a', seed: '18446744073709551616' })).toBe('seed');
    expect(fieldOf({ prompt: 'a', seed: 1.5 })).toBe('seed');
  });
});

describe('validated tasks', () => {
  it('[ADAPTER-TASK-4] a task parseTask produced is not parsed again, and withTimeouts keeps it so', () => {
    const task = parseTask({ prompt: 'a' });
    expect(parseTask(task)).toBe(task);
    const timed = withTimeouts(task, { first_token_ms: 5 });
    expect(timed).toMatchObject({ prompt: 'a', job_id: task.job_id, timeouts: { first_token_ms: 5 } });
    expect(parseTask(timed)).toBe(timed);
    expect(withTimeouts(timed, undefined).timeouts).toBeUndefined();
    expect(() => withTimeouts(task, { idle_ms: -1 })).toThrow(/timeouts\.idle_ms/);
    // A look-alike object that did not come from parseTask is validated as usual.
    expect(() => parseTask({ ...task, max_tokens: -1 })).toThrow(/max_tokens/);
  });

  it('[ADAPTER-TASK-4] regression: the validated mark is on the task itself, hidden (a WeakSet of tasks slowed every scavenge)', () => {
    const task = parseTask({ prompt: 'a', max_tokens: 3 });
    // Invisible to keys, JSON and spreads: a copy is a new object and is validated again.
    expect(Object.keys(task)).not.toContain('validated');
    expect(JSON.parse(JSON.stringify(task))).toEqual({ ...task });
    const copy = { ...task };
    expect(Object.getOwnPropertySymbols(copy)).toEqual([]);
    expect(parseTask(copy)).not.toBe(copy);
    // The mark survives what the daemon does to a task: deadlines added, and handed on.
    const timed = withTimeouts(task, { idle_ms: 9 });
    expect(Object.getOwnPropertySymbols(timed)).toHaveLength(1);
    expect(Object.keys(timed).sort()).toEqual(Object.keys(task).concat('timeouts').sort());
  });
});
