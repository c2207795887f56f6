import type { CancelSignal } from '@orch/adapter-api';
import { OrchError, type SourceEvent, type SourceYield, toOrchError } from '@orch/adapter-api';
import {
  abortableSleep,
  drainAfterEnd,
  type RetryPolicyOptions,
  retryDelay,
  type SseMessage,
  type SseStream,
} from '@orch/http-util';

import { hfStreamError } from './hf-error.js';
import { OpenAiChatStreamParser, parseGenerateStreamEvent } from './shared-wire.js';

/** How one wire format's SSE messages become SourceEvents. */
export interface HfStreamStep {
  /** Appends the events `msg` carries to `out`; true once the final event was appended. */
  read(msg: SseMessage, out: SourceEvent[]): boolean;
  /** The final event for a body that ended without one, or a throw when that is a cut. */
  atEnd(): SourceEvent;
}

/** Errors the shared TGI parsers raise for in-stream error events carry TGI's meanings; HF's mean HTTP's. */
function remap(err: unknown, data: string): unknown {
  if (err instanceof OrchError && err.code !== 'PROTOCOL') return hfStreamError(data);
  return err;
}

/** The router's OpenAI chat chunks, through the parser tgi-http's chat route uses too. */
export function routerStep(): HfStreamStep {
  const parser = new OpenAiChatStreamParser();
  return {
    read(msg, out) {
      if (msg.event === 'error') throw hfStreamError(msg.data);
      let token: ReturnType<OpenAiChatStreamParser['push']>;
      try {
        token = parser.push(msg.data);
      } catch (err) {
        throw remap(err, msg.data);
      }
      if (token) out.push(token);
      if (!parser.done) return false;
      out.push(parser.end());
      return true;
    },
    atEnd: () => parser.end(),
  };
}

/** The serverless API's TGI generate_stream framing, through tgi-http's parser. */
export function serverlessStep(): HfStreamStep {
  return {
    read(msg, out) {
      if (msg.event === 'error') throw hfStreamError(msg.data);
      try {
        return parseGenerateStreamEvent(msg.data, out);
      } catch (err) {
        throw remap(err, msg.data);
      }
    },
    atEnd() {
      throw new OrchError('NETWORK', 'The Inference API ended the stream before its final event', {
        retriable: true,
      });
    },
  };
}

export interface SseJobInit {
  /** Opens the stream (the transport has already retried HTTP statuses by then). */
  open: () => Promise<SseStream>;
  step: () => HfStreamStep;
  /** Policy for errors sent in-stream before any token; false: never retry them. */
  retry: RetryPolicyOptions | false;
  signal: CancelSignal;
}

const RETRIABLE_IN_STREAM = new Set(['RATE_LIMITED', 'OVERLOADED', 'UPSTREAM_ERROR', 'NETWORK']);

/** Providers refuse some streams with a 200 and an error event: before any token that is as safe to retry. */
function retryIn(attempt: number, err: unknown, policy: RetryPolicyOptions | false): number | undefined {
  if (policy === false || !(err instanceof OrchError) || !RETRIABLE_IN_STREAM.has(err.code)) return undefined;
  const delay = retryDelay(attempt, err, policy);
  if (delay === undefined || !policy.budget) return delay;
  if (!policy.budget.canRetry()) return undefined;
  policy.budget.recordRetry();
  return delay;
}

/**
 * Streams SSE responses as one array of SourceEvents per network read, so the token stream pays one
 * await per read rather than per token. Tokens parsed before bad data or an error event still reach
 * the consumer first. An error (or a cut) before any token is retried per the policy; once a token
 * went out, never. The socket is closed however the job ends.
 */
export async function* sseJob(init: SseJobInit): AsyncGenerator<SourceYield, void, undefined> {
  let delivered = false;
  for (let attempt = 1; ; attempt++) {
    const sse = await init.open();
    const step = init.step();
    const reads = sse.batches()[Symbol.asyncIterator]();
    let wait: number | undefined;
    let finished = false;
    try {
      for (;;) {
        const r = await reads.next();
        const out: SourceEvent[] = [];
        let ended = false;
        let failure: unknown;
        try {
          if (r.done) {
            out.push(step.atEnd());
            ended = true;
          } else {
            for (const msg of r.value) {
              if (step.read(msg, out)) {
                ended = true;
                break;
              }
            }
          }
        } catch (err) {
          failure = err;
        }
        if (failure !== undefined && !delivered && out.length === 0) {
          wait = retryIn(attempt, failure, init.retry);
          if (wait === undefined) throw failure;
          break;
        }
        // Set before the yield: the consumer usually stops pulling once it has the final event.
        finished = ended && failure === undefined && !r.done;
        if (out.length > 0) {
          delivered = true;
          yield out;
        }
        if (failure !== undefined) throw failure;
        if (ended) return;
      }
    } finally {
      if (finished) drainAfterEnd(sse, reads);
      else sse.close();
    }
    try {
      await abortableSleep(wait, init.signal);
    } catch {
      throw toOrchError(init.signal.reason);
    }
  }
}
