import { afterEach, describe, expect, it } from 'vitest';
import { type CoreHarness, collect, ctx, startCore } from '../__fixtures__/core-harness.js';
import { mockPool, until } from '../__fixtures__/daemon-harness.js';

let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('jobs', () => {
  it('[ORCHD-JOB-3] cancel is race-free: no token after cancel() returns, and the upstream is aborted', async () => {
    h = await startCore([mockPool('p')]);
    const m = h.mock('p');
    m.configure({ tokens: Array.from({ length: 200 }, (_, i) => `t${i} `), tokenDelayMs: 1 });
    const job = h.orch.submit({ prompt: 'x' }, ctx());
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const ev of job.events()) {
        seen.push(ev.type);
        if (ev.type === 'token' && ev.index === 2) {
          const aborted = m.nextAbort();
          job.cancel();
          // Synchronously after cancel the log is closed: the next event must be the terminal one.
          await aborted;
        }
      }
    })();
    await consumer;
    expect(seen.slice(-1)).toEqual(['error']);
    expect(seen.filter((t) => t === 'token')).toHaveLength(3);
    expect(job.state).toBe('cancelled');
    expect(m.abortsObserved).toBe(1);
    await until(() => h!.orch.pools()[0]!.replicas[0]!.inFlight === 0);
  });

  it('[ORCHD-JOB-3] cancelling a queued job removes it from the queue', async () => {
    h = await startCore([mockPool('p', ['r0'], { replicas: [{ id: 'r0', max_concurrent: 1 }] })]);
    h.mock('p').configure({ hang: { afterTokens: 0 } });
    const a = h.orch.submit({ prompt: 'a' }, ctx());
    const b = h.orch.submit({ prompt: 'b' }, ctx());
    expect(h.orch.pools()[0]!.queue.depth).toBe(1);
    b.cancel();
    expect(h.orch.pools()[0]!.queue.depth).toBe(0);
    expect(await b.result).toMatchObject({ type: 'error', code: 'CANCELLED', tokens_emitted: 0 });
    a.cancel();
    await a.result;
    expect(h.mock('p').tasks.map((t) => t.prompt)).toEqual(['a']);
  });

  it('[ORCHD-JOB-2] events() replays from the start for a late consumer, then follows live', async () => {
    h = await startCore([mockPool('p')]);
    h.mock('p').configure({ tokenDelayMs: 5 });
    const job = h.orch.submit({ prompt: 'x' }, ctx());
    const live = collect(job);
    await job.result;
    const late = await collect(job);
    expect((await live).map((e) => e.type)).toEqual(late.map((e) => e.type));
    expect(late[0]).toMatchObject({ type: 'started', queue_position: 0 });
  });

  it('[ORCHD-DEADLINE-1] total_ms covers queue time; pool default first_token_ms applies when the task sets none', async () => {
    h = await startCore([
      mockPool('p', ['r0'], {
        timeouts: { first_token_ms: 30 },
        retry: { max_attempts: 1, backpressure_cooldown_ms: 10, max_requeues: 1 },
      }),
    ]);
    h.mock('p').configure({ hang: { afterTokens: 0 } });
    const r1 = await h.orch.submit({ prompt: 'x' }, ctx()).result;
    expect(r1).toMatchObject({ type: 'error', code: 'TIMEOUT', timeout_phase: 'first_token' });
    const r2 = await h.orch.submit({ prompt: 'x', timeouts: { total_ms: 20, first_token_ms: 10_000 } }, ctx())
      .result;
    expect(r2).toMatchObject({ type: 'error', code: 'TIMEOUT', timeout_phase: 'total' });
  });

  it('[ORCHD-Q-4] predictions come from measured service times; a deadline before the predicted start is refused', async () => {
    h = await startCore([mockPool('p', ['r0'], { replicas: [{ id: 'r0', max_concurrent: 1 }] })]);
    const m = h.mock('p');
    m.configure({ tokenDelayMs: 10 });
    await h.orch.submit({ prompt: 'warm' }, ctx()).result;
    m.configure({ hang: { afterTokens: 0 } });
    const busy = h.orch.submit({ prompt: 'busy' }, ctx());
    const queued = h.orch.submit({ prompt: 'q' }, ctx());
    expect(queued.queuePosition).toBe(0);
    expect(queued.predictedStartMs).toBeGreaterThan(0);
    const second = h.orch.submit({ prompt: 'q2' }, ctx());
    expect(second.queuePosition).toBe(1);
    expect(second.predictedStartMs).toBeGreaterThan(queued.predictedStartMs);
    expect(() => h!.orch.submit({ prompt: 'late', timeouts: { total_ms: 1 } }, ctx())).toThrow(
      /past the task's total deadline/,
    );
    for (const j of [busy, queued, second]) j.cancel();
  });

  it('[ORCHD-JOB-1] finished jobs stay queryable, bounded by max_retained', async () => {
    h = await startCore([mockPool('p')], { retention_ms: 60_000, max_retained: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const j = h.orch.submit({ prompt: `x${i}` }, ctx());
      ids.push(j.taskId);
      await j.result;
    }
    expect(ids.map((id) => h!.orch.getJob(id)?.state ?? null)).toEqual([
      null,
      null,
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(() => h!.orch.submit({ prompt: 'x', job_id: ids[4] }, ctx())).toThrow(/already exists/);
  });

  it('[ORCHD-JOB-1] a retained job keeps its result, replay and view, not its request body', async () => {
    h = await startCore([mockPool('p')]);
    const messages = [{ role: 'user' as const, content: 'a long request body '.repeat(50) }];
    const j = h.orch.submit({ messages, model: 'm1', priority: 'batch' }, ctx());
    await j.result;
    const kept = h.orch.getJob(j.taskId)!;
    expect(kept.state).toBe('succeeded');
    expect(kept.task).toEqual({ job_id: j.taskId, model: 'm1', priority: 'batch' });
    expect(kept.excluded.size).toBe(0);
    const replay = await collect(kept);
    expect(replay.map((e) => e.type)).toEqual(kept.snapshot().map((e) => e.type));
    expect(replay.at(-1)).toMatchObject({ type: 'end' });
  });

  it('[ORCHD-JOB-1] retained token logs are bounded: the oldest finished logs are compacted to their result', async () => {
    h = await startCore([mockPool('p', ['r0'], { replicas: [{ id: 'r0', max_concurrent: 64 }] })]);
    h.mock('p').configure({ tokens: Array.from({ length: 1000 }, (_, i) => `t${i} `) });
    const ids: string[] = [];
    for (let i = 0; i < 80; i++) {
      const j = h.orch.submit({ prompt: `x${i}` }, ctx());
      ids.push(j.taskId);
      await j.result;
    }
    const oldest = h.orch.getJob(ids[0]!)!;
    expect(oldest.snapshot().map((e) => e.type)).toEqual(['started', 'end']);
    expect(oldest.terminalEvent).toMatchObject({ type: 'end', usage: { completion_tokens: 1000 } });
    expect(h.orch.getJob(ids.at(-1)!)!.snapshot()).toHaveLength(1002);
  });

  it('[ORCHD-JOB-1] a client signal aborting cancels the job', async () => {
    h = await startCore([mockPool('p')]);
    h.mock('p').configure({ hang: { afterTokens: 1 } });
    const ac = new AbortController();
    const job = h.orch.submit({ prompt: 'x' }, { ...ctx(), signal: ac.signal });
    await until(() => job.state === 'running');
    ac.abort();
    expect(await job.result).toMatchObject({ type: 'error', code: 'CANCELLED' });
  });
});
