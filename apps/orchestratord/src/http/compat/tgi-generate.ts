// POST /generate and /generate_stream in TGI's wire format (see shared notes tgi-wire.md §4–§5).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EndEvent, errorFromEvent, type FinishReason } from '@orch/adapter-api';
import type { JobHandle } from '../../core/orchestrator-types.js';
import type { RequestContext, RouteModuleDeps } from '../route-types.js';
import { endSse, sendData, startSse } from '../sse-sink.js';
import { type FirstEvent, type OpenedJob, relayJob } from './job-stream.js';
import {
  type GenerateBody,
  generateToTask,
  parseGenerate,
  sendTgiError,
  tgiErrorBody,
} from './tgi-request.js';
import {
  type StreamToken,
  type TgiToken,
  tgiStreamEvent,
  tgiToken,
  tgiTokenEvent,
  tgiTopTokens,
} from './tgi-stream-event.js';

/** Whether the client asked for `top_n_tokens` (only then does TGI write any `top_tokens`). */
function wantsTopTokens(body: GenerateBody): boolean {
  return (body.parameters?.top_n_tokens ?? 0) > 0;
}

/** TGI says `eos_token` where the contract says `stop`. */
function tgiFinish(reason: FinishReason): 'length' | 'eos_token' | 'stop_sequence' {
  if (reason === 'length') return 'length';
  if (reason === 'stop_sequence') return 'stop_sequence';
  return 'eos_token';
}

function seedOf(job: JobHandle): number | null {
  const seed = job.task.seed;
  if (seed === undefined) return null;
  const n = Number(seed);
  return Number.isSafeInteger(n) ? n : null;
}

/** The text TGI answers with: the prompt in front when `return_full_text` asks for it. */
function generatedText(body: GenerateBody, end: EndEvent): string {
  return body.parameters?.return_full_text ? body.inputs + end.text : end.text;
}

/** How TGI's compat `POST /` calls the handlers: the body already read, non-stream answers in an array. */
export interface CompatCall {
  raw: unknown;
  array?: boolean;
}

/** relayJob with TGI's body and errors. */
function relayGenerate(
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
  streaming: boolean,
  compat: CompatCall | undefined,
  relay: (job: JobHandle, opened: OpenedJob, body: GenerateBody) => Promise<void>,
): Promise<void> {
  return relayJob(
    res,
    ctx,
    deps,
    sendTgiError,
    async () => {
      const body = parseGenerate(compat ? compat.raw : await ctx.json(), streaming);
      // TGI's API has no stored results: the answer is the record (ORCHD-JOB-1).
      return { body, task: generateToTask(body), retain: false };
    },
    relay,
  );
}

export async function handleGenerate(
  _req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
  compat?: CompatCall,
): Promise<void> {
  await relayGenerate(res, ctx, deps, false, compat, async (job, opened, body) => {
    const tokens: TgiToken[] = [];
    const top: TgiToken[][] | undefined = wantsTopTokens(body) ? [] : undefined;
    // Nothing is sent before the end: waiting for it lets the events be taken from the job's log
    // without a promise each (the open iterator keeps the log from being compacted meanwhile).
    if (opened.first.type === 'token') await opened.result;
    for (let ev: FirstEvent | undefined = opened.first; ev; ev = opened.take() ?? (await opened.next())) {
      if (ev.type === 'token') {
        tokens.push(tgiToken(ev));
        top?.push(tgiTopTokens(ev));
      } else if (ev.type === 'end') {
        sendGenerated(res, job, body, ev, { tokens, top }, compat?.array === true);
        return;
      } else {
        if (!res.destroyed) sendTgiError(res, errorFromEvent(ev));
        return;
      }
    }
    // A job stream that ends without a terminal event must not look like a complete answer.
    res.destroy();
  });
}

function sendGenerated(
  res: ServerResponse,
  job: JobHandle,
  body: GenerateBody,
  end: EndEvent,
  generated: { tokens: TgiToken[]; top: TgiToken[][] | undefined },
  array: boolean,
) {
  if (res.destroyed) return;
  const p = body.parameters;
  const out: Record<string, unknown> = { generated_text: generatedText(body, end) };
  if (p?.details || p?.decoder_input_details) {
    const details: Record<string, unknown> = {
      finish_reason: tgiFinish(end.finish_reason),
      generated_tokens: end.usage.completion_tokens,
      seed: seedOf(job),
      prefill: [],
      tokens: generated.tokens,
    };
    // One list per token, after `tokens`, as TGI orders Details; TGI leaves the key out when empty.
    if (generated.top?.length) details.top_tokens = generated.top;
    out.details = details;
  }
  const json = JSON.stringify(array ? [out] : out);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'x-generated-tokens': String(end.usage.completion_tokens),
    'x-prompt-tokens': String(end.usage.prompt_tokens ?? 0),
  });
  res.end(json);
}

/**
 * TGI puts `generated_text` on the last token's event, but the daemon learns that a token was the
 * last only when the end arrives. Visible tokens are never held back for that (it would delay every
 * token by one); only a special token (an EOS, normally last) waits. When the last token was not
 * special, a final event with an empty special token carries `generated_text` and `details`.
 */
export async function handleGenerateStream(
  _req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
  compat?: CompatCall,
): Promise<void> {
  await relayGenerate(res, ctx, deps, true, compat, async (job, opened, body) => {
    let index = 0;
    let held: StreamToken | undefined;
    const withTop = wantsTopTokens(body);
    const event = (t: StreamToken, generated: string | null, details: unknown) =>
      tgiStreamEvent(++index, t, generated, details);
    startSse(res);
    for (let ev: FirstEvent | undefined = opened.first; ev; ev = opened.take() ?? (await opened.next())) {
      if (ev.type === 'token') {
        if (held) await sendData(res, event(held, null, null));
        held = undefined;
        // The common token: no alternatives, not held; serialised without building TGI's objects.
        if (!withTop && ev.special !== true) {
          const full = sendData(res, tgiTokenEvent(++index, ev));
          if (full) await full;
          continue;
        }
        const t: StreamToken = { token: tgiToken(ev), top: withTop ? tgiTopTokens(ev) : undefined };
        if (t.token.special) held = t;
        else await sendData(res, event(t, null, null));
      } else if (ev.type === 'end') {
        const generated = generatedText(body, ev);
        const details = body.parameters?.details
          ? {
              finish_reason: tgiFinish(ev.finish_reason),
              generated_tokens: ev.usage.completion_tokens,
              seed: seedOf(job),
              input_length: ev.usage.prompt_tokens ?? 0,
            }
          : null;
        const last = held ?? { token: { id: 0, text: '', logprob: null, special: true }, top: undefined };
        await sendData(res, event(last, generated, details));
        endSse(res);
        return;
      } else {
        // TGI ends a failed stream with an error event and no sentinel.
        if (held) await sendData(res, event(held, null, null));
        await sendData(res, JSON.stringify(tgiErrorBody(ev.code, ev.message)));
        endSse(res);
        return;
      }
    }
    // A job stream that ends without a terminal event must not look like a complete answer.
    res.destroy();
  });
}

/** TGI's compat `POST /`: `{inputs, parameters, stream}` → `[GenerateResponse]`, or the stream. */
export async function handleCompatRoot(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  deps: RouteModuleDeps,
): Promise<void> {
  let raw: unknown;
  try {
    raw = await ctx.json();
  } catch (err) {
    sendTgiError(res, err);
    return;
  }
  const stream = typeof raw === 'object' && raw !== null && (raw as { stream?: unknown }).stream === true;
  if (stream) await handleGenerateStream(req, res, ctx, deps, { raw });
  else await handleGenerate(req, res, ctx, deps, { raw, array: true });
}
