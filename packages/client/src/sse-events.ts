// Reads the daemon's SSE (`event: <type>` + `data: <json>`) from a Node readable body and yields
// validated TokenEvents. Breaking out of the loop destroys the body, so the socket closes at once.
import type { Readable } from 'node:stream';
import { OrchError, type TokenEvent, TokenEventSchema } from '@orch/adapter-api';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export async function* readTokenEvents(body: Readable): AsyncGenerator<TokenEvent, void, undefined> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (m) => pending.push(m) });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }));
      while (pending.length > 0) {
        const msg = pending.shift()!;
        // The daemon also sends `metrics` (and comments as keep-alives); only TokenEvents are yielded.
        const type = msg.event ?? 'message';
        if (type !== 'started' && type !== 'token' && type !== 'end' && type !== 'error') continue;
        let data: unknown;
        try {
          data = JSON.parse(msg.data);
        } catch {
          throw new OrchError('PROTOCOL', `The daemon sent a ${type} event that is not JSON`, {
            retriable: false,
          });
        }
        const parsed = TokenEventSchema.safeParse(data);
        if (!parsed.success) {
          throw new OrchError('PROTOCOL', `The daemon sent a malformed ${type} event`, {
            retriable: false,
            cause: parsed.error,
          });
        }
        yield parsed.data;
        if (parsed.data.type === 'end' || parsed.data.type === 'error') return;
      }
    }
  } finally {
    body.destroy();
  }
}
