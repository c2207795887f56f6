import { describe, expect, it } from 'vitest';
import { OrchError } from '../errors.js';
import { runConformanceSuite } from './conformance.js';
import { MockAdapter, mockError } from './mock-adapter.js';

runConformanceSuite('MockAdapter', async () => {
  const adapter = new MockAdapter({ tokens: ['a', 'b', 'c', 'd'] });
  return {
    adapter,
    task: () => ({ prompt: 'hello' }),
    fault: (kind) => {
      if (kind === 'hang-before-first-token') adapter.configure({ hang: { afterTokens: 0 } });
      if (kind === 'hang-after-first-token') adapter.configure({ hang: { afterTokens: 1 } });
      if (kind === 'fail-after-first-token') {
        adapter.configure({ failAfterTokens: { after: 2, error: mockError('NETWORK', 'socket hang up') } });
      }
      if (kind === 'fail-retriable-before-start')
        adapter.configure({ failBeforeStart: mockError('OVERLOADED') });
      if (kind === 'unauthorized') {
        adapter.configure({ failBeforeStart: new OrchError('UNAUTHORIZED', 'bad token', { status: 401 }) });
      }
      return true;
    },
    upstreamAborted: () => adapter.nextAbort(),
    cleanup: () => adapter.close(),
  };
});

describe('MockAdapter faults', () => {
  it('[ADAPTER-SLOTS-1] props reports free slots from jobs in flight', async () => {
    const adapter = new MockAdapter({ slots: 2, hang: { afterTokens: 1 } });
    const stream = adapter.submit({ prompt: 'x' });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    expect((await adapter.props()).slotsFree).toBe(1);
    await it.return?.();
    expect((await adapter.props()).slotsFree).toBe(2);
  });

  it('[ADAPTER-STREAM-4] max_tokens cuts the script with finish_reason length', async () => {
    const adapter = new MockAdapter({ tokens: ['a', 'b', 'c'] });
    const result = await adapter.generate({ prompt: 'x', max_tokens: 2 });
    expect(result.text).toBe('ab');
    expect(result.finish_reason).toBe('length');
  });

  it('[ADAPTER-STREAM-5] stop sequences end with stop_sequence', async () => {
    const adapter = new MockAdapter({ tokens: ['a', 'b', 'c'] });
    const result = await adapter.generate({ prompt: 'x', stop: ['ab'] });
    expect(result).toMatchObject({ text: 'ab', finish_reason: 'stop_sequence' });
  });

  it('[ADAPTER-TASK-2] a running job_id cannot be submitted twice', async () => {
    const adapter = new MockAdapter({ hang: { afterTokens: 0 } });
    const first = adapter.submit({ prompt: 'x', job_id: 'same' });
    expect(() => adapter.submit({ prompt: 'y', job_id: 'same' })).toThrow(/already running/);
    first.cancel();
    await first.result;
    await adapter.close();
  });
});
