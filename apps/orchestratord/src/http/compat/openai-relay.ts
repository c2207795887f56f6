// The request → job → response plumbing both OpenAI routes share.
import type { ServerResponse } from 'node:http';
import type { StartedEvent } from '@orch/adapter-api';
import type { JobHandle } from '../../core/orchestrator-types.js';
import type { RequestContext, RouteModuleDeps } from '../route-types.js';
import { errorFromEvent, type OpenedJob, openJob } from './job-stream.js';
import { sendOpenAIError } from './openai-errors.js';
import type { ResponseMeta } from './openai-response.js';

export function metaFor(job: JobHandle, started: StartedEvent | undefined, prefix: string): ResponseMeta {
  return {
    id: `${prefix}-${job.taskId}`,
    created: Math.floor(Date.now() / 1000),
    model: started?.model ?? job.task.model ?? 'unknown',
  };
}

/** Submits the task; answers the OpenAI error itself and returns undefined when it could not. */
export async function submitCompat(
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
  build: (body: unknown) => Parameters<RouteModuleDeps['orchestrator']['submit']>[0],
): Promise<JobHandle | undefined> {
  try {
    const task = build(await ctx.json());
    return deps.orchestrator.submit(task, { correlationId: ctx.correlationId, signal: ctx.signal });
  } catch (err) {
    sendOpenAIError(res, err);
    return undefined;
  }
}

/** Opens the job; on an error before any token answers it as an HTTP error and returns undefined. */
export async function openCompat(
  res: ServerResponse,
  ctx: RequestContext,
  job: JobHandle,
): Promise<OpenedJob | undefined> {
  let opened: OpenedJob;
  try {
    opened = await openJob(job);
  } catch (err) {
    sendOpenAIError(res, err);
    return undefined;
  }
  if (opened.first.type === 'error') {
    opened.close();
    if (!ctx.signal.aborted) sendOpenAIError(res, errorFromEvent(opened.first));
    else res.destroy();
    return undefined;
  }
  return opened;
}

export function sendJsonBody(res: ServerResponse, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
