// POST /v1/completions (OpenAI legacy text completion). Also what @huggingface/inference's
// textGeneration / textGenerationStream call when given an endpointUrl.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenTextEvent } from '@orch/adapter-api';
import type { JobHandle } from '../../core/orchestrator-types.js';
import { startSse } from '../respond.js';
import type { RequestContext, RouteModuleDeps } from '../route-types.js';
import type { OpenedJob } from './job-stream.js';
import { errorFromEvent } from './job-stream.js';
import { openAIStreamError, sendOpenAIError } from './openai-errors.js';
import { metaFor, openCompat, sendJsonBody, submitCompat } from './openai-relay.js';
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
import { sendData } from './sse-sink.js';

export async function handleCompletion(
  _req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
): Promise<void> {
  let body: CompletionBody | undefined;
  const job = await submitCompat(res, ctx, deps, (raw) => {
    body = parseBody(CompletionBody, raw);
    return completionToTask(body);
  });
  if (!job || !body) return;
  try {
    const opened = await openCompat(res, ctx, job);
    if (!opened) return;
    try {
      if (body.stream) await streamCompletion(res, job, opened, body);
      else await complete(res, job, opened, body);
    } finally {
      opened.close();
    }
  } finally {
    if (ctx.signal.aborted) job.cancel();
  }
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
  let ev = opened.first;
  while (true) {
    if (ev.type === 'token') {
      if (tokens && !ev.special) tokens.push(ev);
    } else if (ev.type === 'end') {
      const meta = metaFor(job, opened.started, 'cmpl');
      const lp = tokens ? completionLogprobs(tokens, prefix.length) : null;
      sendJsonBody(res, textCompletion(meta, prefix + ev.text, ev, lp));
      return;
    } else if (ev.type === 'error') {
      if (!res.destroyed) sendOpenAIError(res, errorFromEvent(ev));
      return;
    }
    const next = await opened.next();
    if (!next) return;
    ev = next;
  }
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
  let ev = opened.first;
  while (true) {
    if (ev.type === 'token') {
      if (!ev.special && ev.text !== '') {
        const data = body.logprobs
          ? completionChunk(meta, ev.text, null, withUsage, completionLogprobs([ev], offset))
          : textChunk(ev.text);
        offset += ev.text.length;
        await sendData(res, data);
      }
    } else if (ev.type === 'end') {
      await sendData(res, completionChunk(meta, '', openAIFinish(ev.finish_reason, false), withUsage));
      if (withUsage) await sendData(res, usageChunk(meta, 'text_completion', openAIUsage(ev)));
      await sendData(res, '[DONE]');
      res.end();
      return;
    } else if (ev.type === 'error') {
      await sendData(res, JSON.stringify(openAIStreamError(ev)));
      res.end();
      return;
    }
    const next = await opened.next();
    if (!next) {
      // A job stream that ends without a terminal event must not look like a complete answer.
      res.destroy();
      return;
    }
    ev = next;
  }
}
