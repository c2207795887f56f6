import {
  errorFromEvent,
  type SourceContext,
  type SourceEvent,
  type TaskRequest,
  type TokenEvent,
  type WorkerAdapter,
  withTimeouts,
} from '@orch/adapter-api';

/** TokenEvent → SourceEvent: the outer stream renumbers and re-times, so only the payload is kept. */
function toSource(ev: TokenEvent): SourceEvent {
  switch (ev.type) {
    case 'started':
      return {
        type: 'started',
        engine_version: ev.engine_version,
        model: ev.model,
        ...(ev.replica_id !== undefined ? { replica_id: ev.replica_id } : {}),
      };
    case 'token': {
      const t: SourceEvent = { type: 'token', text: ev.text };
      if (ev.token_id !== undefined) t.token_id = ev.token_id;
      if (ev.logprob !== undefined) t.logprob = ev.logprob;
      if (ev.special !== undefined) t.special = ev.special;
      if (ev.top_logprobs !== undefined) t.top_logprobs = ev.top_logprobs;
      return t;
    }
    case 'end':
      return {
        type: 'end',
        finish_reason: ev.finish_reason,
        text: ev.text,
        usage: ev.usage,
        ...(ev.tool_calls ? { tool_calls: ev.tool_calls } : {}),
      };
    case 'error':
      throw errorFromEvent(ev);
  }
}

/**
 * Endpoint mode: an Inference Endpoint is a TGI server, so the job runs on a TgiHttpAdapter (tgi-http's
 * wire code, not a copy) and its events are re-emitted under this adapter's engine and stats. The
 * outer stream owns the deadlines (the inner task carries none) and its abort reaches the inner job.
 */
export async function* endpointSource(
  inner: WorkerAdapter,
  task: TaskRequest,
  ctx: SourceContext,
): AsyncGenerator<SourceEvent, void, undefined> {
  // The outer stream owns the deadlines. withTimeouts' copy stays marked as validated, so the inner
  // adapter does not parse the task again.
  const innerTask = withTimeouts(task, undefined);
  // A one-shot call is the inner adapter's one-shot call too (TGI's /generate), re-emitted event by
  // event like a stream, so its per-token data (logprobs, alternatives) is not folded into one token.
  if (ctx.nonStreaming) innerTask.stream = false;
  const stream = inner.submit(innerTask, { signal: ctx.cancel });
  for await (const ev of stream) yield toSource(ev);
}
