// Shared by the OpenAI and TGI routes: wait for a job's first meaningful event before committing to
// a 200, so a failure before any token is still an HTTP error with its real status (retriable by the
// client), and only failures after the first token become in-stream errors.
import { OrchError, type StartedEvent, type TokenEvent } from '@orch/adapter-api';
import type { JobHandle } from '../../core/orchestrator-types.js';

export type FirstEvent = Exclude<TokenEvent, StartedEvent>;

export interface OpenedJob {
  started: StartedEvent | undefined;
  /** The first token, or the terminal event when there were none. */
  first: FirstEvent;
  /** The next event after those already read (undefined: the job stream ended); `close()` when done. */
  next(): Promise<FirstEvent | undefined>;
  close(): void;
}

export async function openJob(job: JobHandle): Promise<OpenedJob> {
  const it = job.events()[Symbol.asyncIterator]();
  const close = () => {
    it.return?.()?.catch(() => {});
  };
  let started: StartedEvent | undefined;
  try {
    while (true) {
      const step = await it.next();
      if (step.done)
        throw new OrchError('INTERNAL', 'The job ended without a final event', { retriable: false });
      const ev = step.value;
      if (ev.type === 'started') {
        started = ev;
        continue;
      }
      const next = async (): Promise<FirstEvent | undefined> => {
        while (true) {
          const s = await it.next();
          if (s.done) return undefined;
          if (s.value.type !== 'started') return s.value;
        }
      };
      return { started, first: ev, next, close };
    }
  } catch (err) {
    close();
    throw err;
  }
}

/** The job's error event as an OrchError, for the HTTP error answered before any token. */
export function errorFromEvent(ev: Extract<TokenEvent, { type: 'error' }>): OrchError {
  return new OrchError(ev.code, ev.message, {
    retriable: ev.retriable,
    ...(ev.status !== undefined ? { status: ev.status } : {}),
    ...(ev.retry_after_ms !== undefined ? { retryAfterMs: ev.retry_after_ms } : {}),
    ...(ev.timeout_phase !== undefined ? { timeoutPhase: ev.timeout_phase } : {}),
  });
}

/** A model name a compat client sends that means "whatever the daemon serves by default". */
export function routableModel(model: string | null | undefined): string | undefined {
  if (model === undefined || model === null || model === '' || model === 'tgi') return undefined;
  // @huggingface/inference with an endpointUrl sends that URL as the model.
  if (/^https?:\/\//i.test(model)) return undefined;
  return model;
}
