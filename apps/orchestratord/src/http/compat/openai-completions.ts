// POST /v1/completions (OpenAI legacy text completion). Also what @huggingface/inference's
// textGeneration / textGenerationStream call when given an endpointUrl.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenTextEvent } from '@orch/adapter-api';
import type { JobHandle } from '../../core/orchestrator-types.js';
import type { RequestContext, RouteModuleDeps } from '../route-types.js';
import { sendData, startSse } from '../sse-sink.js';
import type { FirstEvent, OpenedJob } from './job-stream.js';
import {
  endStreamWithDone,
  endStreamWithError,
  metaFor,
  readToEnd,
  relayCompat,
  sendJsonBody,
} from './openai-relay.js';
import { CompletionBody, completionToTask, parseBody } from './openai-request.js';
import {
  completionChunk,
  completionChunker,
  completionLogprobs,
  openAIFinish,
  openAIUsage,
  textCompletion,
  usageChunk,
} from './openai-response.js';

export async function handleCompletion(
  _req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
): Promise<void> {
  await relayCompat(
    res,
    ctx,
    deps,
    (raw) => {
      const body = parseBody(CompletionBody, raw);
      return { body, task: completionToTask(body) };
    },
    (job, opened, body) =>
      body.stream ? streamCompletion(res, job, opened, body) : complete(res, job, opened, body),
  );
}

function echoed(job: JobHandle, body: CompletionBody): string {
  return body.echo || body.return_full_text ? (job.task.prompt ?? '') : '';
}

async function complete(
  res: ServerResponse,
  job: JobHandle,
  opened: OpenedJob,
  body: CompletionBody,
): Promise<void> {
  const tokens: TokenTextEvent[] | undefined = body.logprobs ? [] : undefined;
  const prefix = echoed(job, body);
  const end = await readToEnd(res, opened, (ev) => {
    if (tokens && !ev.special) tokens.push(ev);
  });
  if (!end) return;
  const meta = metaFor(job, opened.started, 'cmpl');
  const lp = tokens ? completionLogprobs(tokens, prefix.length, body.logprobs ?? 0) : null;
  sendJsonBody(res, textCompletion(meta, prefix + end.text, end, lp));
}

async function streamCompletion(
  res: ServerResponse,
  job: JobHandle,
  opened: OpenedJob,
  body: CompletionBody,
): Promise<void> {
  const meta = metaFor(job, opened.started, 'cmpl');
  const withUsage = body.stream_options?.include_usage === true;
  let offset = 0;
  const textChunk = completionChunker(meta, withUsage);
  startSse(res);
  const prefix = echoed(job, body);
  if (prefix !== '') {
    await sendData(res, completionChunk(meta, prefix, null, withUsage));
    offset = prefix.length;
  }
  for (let ev: FirstEvent | undefined = opened.first; ev; ev = opened.take() ?? (await opened.next())) {
    if (ev.type === 'token') {
      if (!ev.special && ev.text !== '') {
        const data = body.logprobs
          ? completionChunk(meta, ev.text, null, withUsage, completionLogprobs([ev], offset, body.logprobs))
          : textChunk(ev.text);
        offset += ev.text.length;
        const full = sendData(res, data);
        if (full) await full;
      }
    } else if (ev.type === 'end') {
      await sendData(res, completionChunk(meta, '', openAIFinish(ev.finish_reason, false), withUsage));
      await endStreamWithDone(
        res,
        withUsage ? usageChunk(meta, 'text_completion', openAIUsage(ev)) : undefined,
      );
      return;
    } else if (ev.type === 'error') {
      await endStreamWithError(res, ev);
      return;
    }
  }
  // A job stream that ends without a terminal event must not look like a complete answer.
  res.destroy();
}
