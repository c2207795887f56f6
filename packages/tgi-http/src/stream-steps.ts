import { OrchError, type SourceEvent } from '@orch/adapter-api';
import type { SseMessage } from '@orch/http-util';
import { parseGenerateStreamEvent } from './generate-stream-parser.js';
import { OpenAiChatStreamParser } from './openai-chat-stream.js';

/** How one route's SSE messages become SourceEvents. */
export interface StreamStep {
  /** Parses one network read's messages into `out`; true once the final event was produced. */
  read(batch: readonly SseMessage[], out: SourceEvent[]): boolean;
  /** The final event for a body that ended before one was produced, or a throw if that is a cut. */
  atEnd(): SourceEvent;
}

/** `/generate_stream`: one event per token, the last one carries generated_text; no `[DONE]`. */
export function generateStep(): StreamStep {
  return {
    read(batch, out) {
      for (const msg of batch) if (parseGenerateStreamEvent(msg.data, out)) return true;
      return false;
    },
    atEnd() {
      throw new OrchError('NETWORK', 'TGI ended the stream before its final event', { retriable: true });
    },
  };
}

/** `/v1/chat/completions`: OpenAI-style chunks, `[DONE]` ends the job. */
export function chatStep(): StreamStep {
  const parser = new OpenAiChatStreamParser();
  return {
    read(batch, out) {
      for (const msg of batch) {
        const token = parser.push(msg.data);
        if (token) out.push(token);
        if (parser.done) {
          out.push(parser.end());
          return true;
        }
      }
      return false;
    },
    // Pre-2.2 TGI sends no [DONE]: a body that ends after a finish_reason ended properly.
    atEnd: () => parser.end(),
  };
}
