import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerAdapter } from '../adapter.js';
import { isOrchError } from '../errors.js';
import type { TokenEvent } from '../events.js';
import type { TaskRequestInput } from '../task.js';

/** Engine behaviours the suite asks a harness to produce. */
export type ConformanceFault =
  /** The engine accepts the job but sends nothing until cancelled. */
  | 'hang-before-first-token'
  /** The engine sends one or more tokens, then nothing until cancelled. */
  | 'hang-after-first-token'
  /** The engine sends one or more tokens, then the stream breaks. */
  | 'fail-after-first-token'
  /** The engine refuses the job with a retriable error (overloaded, 503, ...). */
  | 'fail-retriable-before-start'
  /** The engine refuses the credentials. */
  | 'unauthorized';

export interface ConformanceHarness {
  adapter: WorkerAdapter;
  /** A task that succeeds with at least three tokens. */
  task(): TaskRequestInput;
  /**
   * Makes the engine behave as asked for the next job. Return false when this engine cannot
   * produce that fault; the test that needs it is then skipped (and says so in its name).
   */
  fault(kind: ConformanceFault): boolean | Promise<boolean>;
  /** Resolves when the engine side saw the job's cancellation (socket closed, generation stopped). */
  upstreamAborted?(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  /** Deadline used by the timeout tests. */
  timeoutMs?: number;
}

async function collect(iterable: AsyncIterable<TokenEvent>): Promise<TokenEvent[]> {
  const events: TokenEvent[] = [];
  for await (const ev of iterable) events.push(ev);
  return events;
}

/** Checks the ADAPTER-STREAM invariants on a finished event list. */
export function assertStreamInvariants(events: TokenEvent[]): void {
  expect(events.length).toBeGreaterThanOrEqual(2);
  expect(events[0]?.type).toBe('started');
  const last = events[events.length - 1];
  expect(last?.type === 'end' || last?.type === 'error').toBe(true);
  const middle = events.slice(1, -1);
  middle.forEach((ev, i) => {
    expect(ev.type).toBe('token');
    if (ev.type === 'token') expect(ev.index).toBe(i);
  });
  const jobIds = new Set(events.map((e) => e.job_id));
  expect(jobIds.size).toBe(1);
  if (last?.type === 'error') expect(last.tokens_emitted).toBe(middle.length);
}

/**
 * The contract every adapter must pass (specs/adapter-contract.md). Call it at the top level of
 * an adapter's test file with a factory that builds a fresh harness per test.
 */
export function runConformanceSuite(
  label: string,
  createHarness: () => Promise<ConformanceHarness>,
  options: ConformanceOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 150;

  describe(`WorkerAdapter conformance: ${label}`, () => {
    let harness: ConformanceHarness | undefined;
    const setup = async () => {
      harness = await createHarness();
      return harness;
    };
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });

    it('[ADAPTER-STREAM-1] streams started, tokens numbered from 0, then exactly one end', async () => {
      const h = await setup();
      const events = await collect(h.adapter.submit(h.task()));
      assertStreamInvariants(events);
      const end = events[events.length - 1];
      expect(end?.type).toBe('end');
      if (end?.type !== 'end') return;
      expect(events.length - 2).toBeGreaterThanOrEqual(3);
      expect(end.text.length).toBeGreaterThan(0);
      expect(end.usage.completion_tokens).toBeGreaterThanOrEqual(1);
      expect(end.metrics.total_ms).toBeGreaterThanOrEqual(end.metrics.ttft_ms);
      const started = events[0];
      if (started?.type === 'started') {
        expect(started.engine).toBe(h.adapter.engine);
        expect(started.engine_version.length).toBeGreaterThan(0);
      }
    });

    it('[ADAPTER-STREAM-2] listeners see the same sequence as iteration', async () => {
      const h = await setup();
      const stream = h.adapter.submit(h.task());
      const seen: TokenEvent[] = [];
      stream.on('event', (ev) => seen.push(ev));
      const terminal = await stream.result;
      expect(terminal.type).toBe('end');
      assertStreamInvariants(seen);
      expect(seen[seen.length - 1]).toEqual(terminal);
    });

    it('[ADAPTER-GEN-1] generate() resolves with the final text and usage', async () => {
      const h = await setup();
      const result = await h.adapter.generate(h.task());
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.usage.completion_tokens).toBeGreaterThanOrEqual(1);
      expect(['length', 'stop', 'stop_sequence', 'tool_calls']).toContain(result.finish_reason);
    });

    it('[ADAPTER-CANCEL-1] cancel(jobId) ends the stream with CANCELLED and no token after it', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('hang-after-first-token')))
        return ctx.skip('hang-after-first-token cannot be produced by this engine');
      const stream = h.adapter.submit(h.task());
      const after: TokenEvent[] = [];
      let cancelled = false;
      for await (const ev of stream) {
        if (cancelled) after.push(ev);
        if (ev.type === 'token' && !cancelled) {
          cancelled = true;
          expect(h.adapter.cancel(stream.jobId)).toBe(true);
        }
      }
      expect(after.map((e) => e.type)).toEqual(['error']);
      const last = after[0];
      expect(last?.type === 'error' && last.code).toBe('CANCELLED');
      expect(h.adapter.cancel(stream.jobId)).toBe(false);
    });

    it('[ADAPTER-CANCEL-2] aborting the signal cancels the job and reaches the engine', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('hang-after-first-token')))
        return ctx.skip('hang-after-first-token cannot be produced by this engine');
      const ac = new AbortController();
      const stream = h.adapter.submit(h.task(), { signal: ac.signal });
      const aborted = h.upstreamAborted?.();
      const events: TokenEvent[] = [];
      for await (const ev of stream) {
        events.push(ev);
        if (ev.type === 'token') ac.abort();
      }
      assertStreamInvariants(events);
      const last = events[events.length - 1];
      expect(last?.type === 'error' && last.code).toBe('CANCELLED');
      if (aborted) await aborted;
    });

    it('[ADAPTER-CANCEL-3] breaking out of the loop cancels the job', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('hang-after-first-token')))
        return ctx.skip('hang-after-first-token cannot be produced by this engine');
      const stream = h.adapter.submit(h.task());
      const aborted = h.upstreamAborted?.();
      for await (const ev of stream) {
        if (ev.type === 'token') break;
      }
      const terminal = await stream.result;
      expect(terminal.type === 'error' && terminal.code).toBe('CANCELLED');
      if (aborted) await aborted;
      expect(h.adapter.stats().in_flight).toBe(0);
      expect(h.adapter.stats().cancelled_requests).toBe(1);
    });

    it('[ADAPTER-TIMEOUT-1] a first-token deadline ends the job with TIMEOUT first_token', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('hang-before-first-token')))
        return ctx.skip('hang-before-first-token cannot be produced by this engine');
      const events = await collect(
        h.adapter.submit({ ...h.task(), timeouts: { first_token_ms: timeoutMs } }),
      );
      assertStreamInvariants(events);
      const last = events[events.length - 1];
      expect(last?.type).toBe('error');
      if (last?.type !== 'error') return;
      expect(last.code).toBe('TIMEOUT');
      expect(last.timeout_phase).toBe('first_token');
      expect(last.tokens_emitted).toBe(0);
    });

    it('[ADAPTER-TIMEOUT-2] an idle deadline after a token ends the job with a non-retriable TIMEOUT idle', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('hang-after-first-token')))
        return ctx.skip('hang-after-first-token cannot be produced by this engine');
      const events = await collect(h.adapter.submit({ ...h.task(), timeouts: { idle_ms: timeoutMs } }));
      assertStreamInvariants(events);
      const last = events[events.length - 1];
      expect(last?.type).toBe('error');
      if (last?.type !== 'error') return;
      expect(last.code).toBe('TIMEOUT');
      expect(last.timeout_phase).toBe('idle');
      expect(last.tokens_emitted).toBeGreaterThanOrEqual(1);
      expect(last.retriable).toBe(false);
    });

    it('[ADAPTER-TIMEOUT-3] a total deadline ends the job with TIMEOUT total', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('hang-after-first-token')))
        return ctx.skip('hang-after-first-token cannot be produced by this engine');
      const events = await collect(h.adapter.submit({ ...h.task(), timeouts: { total_ms: timeoutMs } }));
      const last = events[events.length - 1];
      expect(last?.type === 'error' && last.timeout_phase).toBe('total');
    });

    it('[ADAPTER-STREAM-3] a stream that breaks after its first token ends in error, never end', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('fail-after-first-token')))
        return ctx.skip('fail-after-first-token cannot be produced by this engine');
      const events = await collect(h.adapter.submit(h.task()));
      assertStreamInvariants(events);
      const last = events[events.length - 1];
      expect(last?.type).toBe('error');
      if (last?.type !== 'error') return;
      expect(last.tokens_emitted).toBeGreaterThanOrEqual(1);
      expect(last.retriable).toBe(false);
      expect(last.code).not.toBe('CANCELLED');
    });

    it('[ADAPTER-ERR-1] a retriable refusal before the first token is a retriable error', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('fail-retriable-before-start')))
        return ctx.skip('fail-retriable-before-start cannot be produced by this engine');
      const events = await collect(h.adapter.submit(h.task()));
      assertStreamInvariants(events);
      const last = events[events.length - 1];
      expect(last?.type).toBe('error');
      if (last?.type !== 'error') return;
      expect(last.retriable).toBe(true);
      expect(last.tokens_emitted).toBe(0);
    });

    it('[ADAPTER-ERR-2] refused credentials are UNAUTHORIZED and not retriable', async (ctx) => {
      const h = await setup();
      if (!(await h.fault('unauthorized'))) return ctx.skip('unauthorized cannot be produced by this engine');
      const error = await h.adapter.generate(h.task()).catch((e: unknown) => e);
      expect(isOrchError(error)).toBe(true);
      if (!isOrchError(error)) return;
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.retriable).toBe(false);
    });

    it('[ADAPTER-TASK-1] an invalid task is refused with INVALID_REQUEST naming the field', async () => {
      const h = await setup();
      const bad = { ...h.task(), max_tokens: -3 };
      let caught: unknown;
      try {
        h.adapter.submit(bad);
      } catch (e) {
        caught = e;
      }
      expect(isOrchError(caught) && caught.code).toBe('INVALID_REQUEST');
      expect(isOrchError(caught) && caught.field).toBe('max_tokens');
    });

    it('[ADAPTER-STATS-1] stats count requests, tokens and in-flight jobs', async () => {
      const h = await setup();
      const before = h.adapter.stats();
      const result = await h.adapter.generate(h.task());
      const after = h.adapter.stats();
      expect(after.total_requests - before.total_requests).toBe(1);
      expect(after.successful_requests - before.successful_requests).toBe(1);
      expect(after.completion_tokens - before.completion_tokens).toBe(result.usage.completion_tokens);
      expect(after.in_flight).toBe(0);
      expect(after.last_request_at).not.toBeNull();
      expect(after.created_at).toBeLessThanOrEqual(after.last_request_at ?? 0);
    });

    it('[ADAPTER-API-1][ADAPTER-HEALTH-1] health() and props() report the engine', async () => {
      const h = await setup();
      const health = await h.adapter.health();
      expect(['healthy', 'degraded', 'unhealthy']).toContain(health.state);
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
      expect(health.checkedAt).toBeGreaterThan(0);
      const props = await h.adapter.props();
      expect(props.engine).toBe(h.adapter.engine);
      expect(props.modelId.length).toBeGreaterThan(0);
      expect(typeof props.capabilities.streaming).toBe('boolean');
    });
  });
}
