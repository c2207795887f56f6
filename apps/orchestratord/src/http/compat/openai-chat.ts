// POST /v1/chat/completions: one job per request, relayed as OpenAI's chat.completion (or chunks).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndEvent } from '@orch/adapter-api';
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
import { ChatCompletionBody, chatToTask, parseBody, toolsActive, topAsked } from './openai-request.js';
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

export async function handleChat(
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
      const body = parseBody(ChatCompletionBody, raw);
      return { body, task: chatToTask(body) };
    },
    (job, opened, body) =>
      body.stream ? streamChat(res, job, opened, body) : completeChat(res, job, opened, body),
  );
}

async function completeChat(
  res: ServerResponse,
  job: JobHandle,
  opened: OpenedJob,
  body: ChatCompletionBody,
): Promise<void> {
  const logprobs: LogprobEntry[] | undefined = body.logprobs ? [] : undefined;
  const top = topAsked(body);
  const end = await readToEnd(res, opened, (ev) => {
    if (logprobs && !ev.special) logprobs.push(logprobEntry(ev, top));
  });
  if (end) sendJsonBody(res, chatCompletion(metaFor(job, opened.started, 'chatcmpl'), end, logprobs));
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
  const top = topAsked(body);
  startSse(res);
  await sendData(res, chatChunk(meta, { role: 'assistant', content: '' }, null, withUsage));
  for (let ev: FirstEvent | undefined = opened.first; ev; ev = opened.take() ?? (await opened.next())) {
    if (ev.type === 'token') {
      if (!ev.special && !hold && ev.text !== '') {
        const data = body.logprobs
          ? chatChunk(meta, { content: ev.text }, null, withUsage, logprobEntry(ev, top))
          : contentChunk(ev.text);
        const full = sendData(res, data);
        if (full) await full;
      }
    } else if (ev.type === 'end') {
      await finishChat(res, meta, ev, hold, withUsage);
      return;
    } else if (ev.type === 'error') {
      await endStreamWithError(res, ev);
      return;
    }
  }
  // A job stream that ends without a terminal event must not look like a complete answer.
  res.destroy();
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
  await endStreamWithDone(
    res,
    withUsage ? usageChunk(meta, 'chat.completion.chunk', openAIUsage(end)) : undefined,
  );
}
