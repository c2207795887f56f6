// The request → job → response plumbing both OpenAI routes share.
import type { ServerResponse } from 'node:http';
import {
  type EndEvent,
  type ErrorEvent,
  errorFromEvent,
  type StartedEvent,
  type TaskRequestInput,
  type TokenTextEvent,
} from '@orch/adapter-api';
import type { JobHandle } from '../../core/orchestrator-types.js';
import type { RequestContext, RouteModuleDeps } from '../route-types.js';
import { endSse, sendData } from '../sse-sink.js';
import { type FirstEvent, type OpenedJob, relayJob } from './job-stream.js';
import { openAIStreamError, sendOpenAIError } from './openai-errors.js';
import type { ResponseMeta } from './openai-response.js';

export function metaFor(job: JobHandle, started: StartedEvent | undefined, prefix: string): ResponseMeta {
  return {
    id: `${prefix}-${job.taskId}`,
    created: Math.floor(Date.now() / 1000),
    model: started?.model ?? job.task.model ?? 'unknown',
  };
}

export function sendJsonBody(res: ServerResponse, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body both OpenAI routes share: relayJob with OpenAI's errors. */
export function relayCompat<B extends { store?: boolean | null | undefined }>(
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
  parse: (raw: unknown) => { body: B; task: TaskRequestInput },
  relay: (job: JobHandle, opened: OpenedJob, body: B) => Promise<void>,
): Promise<void> {
  return relayJob(
    res,
    ctx,
    deps,
    sendOpenAIError,
    async () => {
      const { body, task } = parse(await ctx.json());
      // The response carries the whole result: the job is kept for GET /v2/tasks/{id} only when
      // the client asks OpenAI's way (`store: true`), as OpenAI keeps nothing by default either.
      return { body, task, retain: body.store === true };
    },
    relay,
  );
}

/** Ends a stream that failed after its first token: the error as a data event, and no [DONE]. */
export async function endStreamWithError(res: ServerResponse, ev: ErrorEvent): Promise<void> {
  await sendData(res, JSON.stringify(openAIStreamError(ev)));
  // No [DONE] after an error: a client reading to [DONE] must not mistake this for a full answer.
  endSse(res);
}

/** Ends a stream that succeeded: the usage chunk when asked for, then [DONE]. */
export async function endStreamWithDone(res: ServerResponse, usage: string | undefined): Promise<void> {
  if (usage !== undefined) await sendData(res, usage);
  await sendData(res, '[DONE]');
  endSse(res);
}

/**
 * For non-stream answers: hands each token to `onToken` and returns the end event. An error event is
 * answered here (unless the client is gone) and, like a stream that stops short, returns undefined.
 */
export async function readToEnd(
  res: ServerResponse,
  opened: OpenedJob,
  onToken: (ev: TokenTextEvent) => void,
): Promise<EndEvent | undefined> {
  // Nothing is sent before the end: waiting for it first lets every event be taken from the job's
  // log without a promise each (the open iterator keeps the log from being compacted meanwhile).
  if (opened.first.type === 'token') await opened.result;
  for (let ev: FirstEvent | undefined = opened.first; ev; ev = opened.take() ?? (await opened.next())) {
    if (ev.type === 'token') onToken(ev);
    else if (ev.type === 'end') return ev;
    else if (ev.type === 'error') {
      if (!res.destroyed) sendOpenAIError(res, errorFromEvent(ev));
      return undefined;
    }
  }
  return undefined;
}
