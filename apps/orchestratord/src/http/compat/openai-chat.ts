// POST /v1/chat/completions: one job per request, relayed as OpenAI's chat.completion (or chunks).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndEvent } from '@orch/adapter-api';
import type { JobHandle } from '../../core/orchestrator-types.js';
import { startSse } from '../respond.js';
import type { RequestContext, RouteModuleDeps } from '../route-types.js';
import { errorFromEvent, type OpenedJob } from './job-stream.js';
import { openAIStreamError, sendOpenAIError } from './openai-errors.js';
import { metaFor, openCompat, sendJsonBody, submitCompat } from './openai-relay.js';
import { ChatCompletionBody, chatToTask, parseBody, toolsActive } from './openai-request.js';
import {
  chatChunk,
  chatCompletion,
  contentChunker,
  type LogprobEntry,
  logprobEntry,
  openAIFinish,
  openAIUsage,
  type ResponseMeta,
  usageChunk,
} from './openai-response.js';
import { sendData } from './sse-sink.js';

export async function handleChat(
  _req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
): Promise<void> {
  let body: ChatCompletionBody | undefined;
  const job = await submitCompat(res, ctx, deps, (raw) => {
    body = parseBody(ChatCompletionBody, raw);
    return chatToTask(body);
  });
  if (!job || !body) return;
  try {
    const opened = await openCompat(res, ctx, job);
    if (!opened) return;
    try {
      if (body.stream) await streamChat(res, job, opened, body);
      else await completeChat(res, job, opened, body);
    } finally {
      opened.close();
    }
  } finally {
    if (ctx.signal.aborted) job.cancel();
  }
}

async function completeChat(
  res: ServerResponse,
  job: JobHandle,
  opened: OpenedJob,
  body: ChatCompletionBody,
): Promise<void> {
  const logprobs: LogprobEntry[] | undefined = body.logprobs ? [] : undefined;
  let ev = opened.first;
  while (true) {
    if (ev.type === 'token') {
      if (logprobs && !ev.special) logprobs.push(logprobEntry(ev));
    } else if (ev.type === 'end') {
      const meta = metaFor(job, opened.started, 'chatcmpl');
      sendJsonBody(res, chatCompletion(meta, ev, logprobs));
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

async function streamChat(
  res: ServerResponse,
  job: JobHandle,
  opened: OpenedJob,
  body: ChatCompletionBody,
): Promise<void> {
  const meta = metaFor(job, opened.started, 'chatcmpl');
  const withUsage = body.stream_options?.include_usage === true;
  // Token events do not say whether they are content or tool-call arguments; with tools in play the
  // text is held until the end event says which it was, so content never carries raw tool JSON.
  const hold = toolsActive(body);
  const contentChunk = contentChunker(meta, withUsage);
  startSse(res);
  await sendData(res, chatChunk(meta, { role: 'assistant', content: '' }, null, withUsage));
  let ev = opened.first;
  while (true) {
    if (ev.type === 'token') {
      if (!ev.special && !hold && ev.text !== '') {
        const data = body.logprobs
          ? chatChunk(meta, { content: ev.text }, null, withUsage, logprobEntry(ev))
          : contentChunk(ev.text);
        await sendData(res, data);
      }
    } else if (ev.type === 'end') {
      await finishChat(res, meta, ev, hold, withUsage);
      return;
    } else if (ev.type === 'error') {
      await sendData(res, JSON.stringify(openAIStreamError(ev)));
      // No [DONE] after an error: a client reading to [DONE] must not mistake this for a full answer.
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

async function finishChat(
  res: ServerResponse,
  meta: ResponseMeta,
  end: EndEvent,
  held: boolean,
  withUsage: boolean,
): Promise<void> {
  const calls = end.tool_calls?.length ? end.tool_calls : undefined;
  if (calls) {
    const deltas = calls.map((c, index) => ({
      index,
      id: c.id,
      type: 'function',
      function: { name: c.function.name, arguments: c.function.arguments },
    }));
    await sendData(res, chatChunk(meta, { tool_calls: deltas }, null, withUsage));
  } else if (held && end.text !== '') {
    await sendData(res, chatChunk(meta, { content: end.text }, null, withUsage));
  }
  await sendData(res, chatChunk(meta, {}, openAIFinish(end.finish_reason, calls !== undefined), withUsage));
  if (withUsage) await sendData(res, usageChunk(meta, 'chat.completion.chunk', openAIUsage(end)));
  await sendData(res, '[DONE]');
  res.end();
}
