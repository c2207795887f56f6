// Shared by the OpenAI and TGI routes: wait for a job's first meaningful event before committing to
// a 200, so a failure before any token is still an HTTP error with its real status (retriable by the
// client), and only failures after the first token become in-stream errors.
import type { ServerResponse } from 'node:http';
import type { CancelSignal } from '@orch/adapter-api';
import {
  errorFromEvent,
  OrchError,
  type StartedEvent,
  type TaskRequestInput,
  type TerminalEvent,
  type TokenEvent,
} from '@orch/adapter-api';
import type { JobHandle } from '../../core/orchestrator-types.js';
import type { RequestContext, RouteModuleDeps } from '../route-types.js';

export type FirstEvent = Exclude<TokenEvent, StartedEvent>;

export interface OpenedJob {
  started: StartedEvent | undefined;
  /** The first token, or the terminal event when there were none. */
  first: FirstEvent;
  /** The next event after those already read (undefined: the job stream ended); `close()` when done. */
  next(): Promise<FirstEvent | undefined>;
  /**
   * The next event when it is already in the job's log, without a promise; undefined otherwise. The
   * relays loop `ev = take() ?? (await next())`: a burst of tokens then costs no promise each.
   */
  take(): FirstEvent | undefined;
  /** The job's terminal event, once it has one (the job's `result`). */
  result: Promise<TerminalEvent>;
  close(): void;
}

/** The job's iterator, with take() when the handle offers it (the core's Job does). */
type EventIterator = AsyncIterator<TokenEvent> & { take?: () => TokenEvent | undefined };

export async function openJob(job: JobHandle): Promise<OpenedJob> {
  const it: EventIterator = job.events()[Symbol.asyncIterator]();
  const close = () => {
    it.return?.()?.catch(() => {});
  };
  const take = (): FirstEvent | undefined => {
    if (!it.take) return undefined;
    for (let ev = it.take(); ev; ev = it.take()) if (ev.type !== 'started') return ev;
    return undefined;
  };
  const next = async (): Promise<FirstEvent | undefined> => {
    while (true) {
      const s = await it.next();
      if (s.done) return undefined;
      if (s.value.type !== 'started') return s.value;
    }
  };
  let started: StartedEvent | undefined;
  try {
    while (true) {
      let ev = it.take?.();
      if (!ev) {
        const step = await it.next();
        if (step.done)
          throw new OrchError('INTERNAL', 'The job ended without a final event', { retriable: false });
        ev = step.value;
      }
      if (ev.type === 'started') {
        started = ev;
        continue;
      }
      return { started, first: ev, next, take, result: job.result, close };
    }
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * Opens the job; when it cannot be opened, or fails before any token, answers that as an HTTP error
 * with the route family's `sendError` (or drops the connection when the client is gone already) and
 * returns undefined.
 */
export async function openOrAnswer(
  res: ServerResponse,
  signal: CancelSignal,
  job: JobHandle,
  sendError: (res: ServerResponse, err: unknown) => void,
): Promise<OpenedJob | undefined> {
  let opened: OpenedJob;
  try {
    opened = await openJob(job);
  } catch (err) {
    sendError(res, err);
    return undefined;
  }
  if (opened.first.type === 'error') {
    opened.close();
    if (signal.aborted) res.destroy();
    else sendError(res, errorFromEvent(opened.first));
    return undefined;
  }
  return opened;
}

/** A model name a compat client sends that means "whatever the daemon serves by default". */
export function routableModel(model: string | null | undefined): string | undefined {
  if (model === undefined || model === null || model === '' || model === 'tgi') return undefined;
  // @huggingface/inference with an endpointUrl sends that URL as the model.
  if (/^https?:\/\//i.test(model)) return undefined;
  return model;
}

/** What a compat route makes of a request before submitting it. */
export interface CompatJob<B> {
  body: B;
  task: TaskRequestInput;
  /** Keep the finished job for GET /v2/tasks/{id} (SubmitContext.retain, ORCHD-JOB-1). */
  retain: boolean;
}

/**
 * The plumbing every compat route shares: read + submit + open (answering the route family's error
 * itself when any fails), then `relay` the opened job. What was opened is always closed, and the
 * job is cancelled when the client went away.
 */
export async function relayJob<B>(
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
  sendError: (res: ServerResponse, err: unknown) => void,
  read: () => Promise<CompatJob<B>>,
  relay: (job: JobHandle, opened: OpenedJob, body: B) => Promise<void>,
): Promise<void> {
  let job: JobHandle;
  let body: B;
  try {
    const next = await read();
    body = next.body;
    job = deps.orchestrator.submit(next.task, {
      correlationId: ctx.correlationId,
      signal: ctx.signal,
      retain: next.retain,
    });
  } catch (err) {
    sendError(res, err);
    return;
  }
  try {
    const opened = await openOrAnswer(res, ctx.signal, job, sendError);
    if (!opened) return;
    try {
      await relay(job, opened, body);
    } finally {
      opened.close();
    }
  } finally {
    if (ctx.signal.aborted) job.cancel();
  }
}
