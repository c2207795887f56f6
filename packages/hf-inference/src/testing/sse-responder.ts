import type { ServerResponse } from 'node:http';
import type { StreamFrames } from './chat-frames.js';
import type { RouterFault } from './fake-router-types.js';

/** Frames written per socket write: real servers flush per token, but loopback coalesces anyway. */
const BATCH = 32;

function waitDrain(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => done(true);
    const onClose = () => done(false);
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Writes payloads as `data: ...` events in batches, honouring backpressure. False if the client left. */
async function writeEvents(res: ServerResponse, payloads: readonly string[]): Promise<boolean> {
  for (let i = 0; i < payloads.length; i += BATCH) {
    if (res.destroyed || res.writableEnded) return false;
    let text = '';
    const end = Math.min(payloads.length, i + BATCH);
    for (let j = i; j < end; j++) text += `data: ${payloads[j]}\n\n`;
    if (!res.write(text) && !(await waitDrain(res))) return false;
  }
  return !res.destroyed;
}

type StreamFault = Extract<RouterFault, { afterTokens: number }>;

/**
 * Streams frames as SSE, applying a mid-stream fault after its token count: an error event, a cut
 * socket (or a body ended without `[DONE]`), a hang until the client leaves, or a non-JSON line.
 */
export async function respondSse(
  res: ServerResponse,
  frames: StreamFrames,
  fault?: StreamFault,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': 'fake-req-1',
  });
  res.flushHeaders();
  if (!(await writeEvents(res, frames.head))) return;
  const upTo = fault ? Math.min(fault.afterTokens, frames.tokens.length) : frames.tokens.length;
  if (
    !(await writeEvents(res, upTo === frames.tokens.length ? frames.tokens : frames.tokens.slice(0, upTo)))
  ) {
    return;
  }
  if (!fault) {
    if (await writeEvents(res, frames.tail)) res.end();
    return;
  }
  switch (fault.kind) {
    case 'midstream-error': {
      const event = fault.event ? `event: ${fault.event}\n` : '';
      res.write(`${event}data: ${JSON.stringify({ error: fault.error })}\n\n`);
      res.end();
      return;
    }
    case 'cut':
      // Half-closing the socket (instead of destroy) lets the tokens already written reach the client.
      if (fault.clean) res.end();
      else res.socket?.end();
      return;
    case 'malformed':
      res.write('data: {"choices": [ this is not json\n\n');
      res.end();
      return;
    case 'hang':
      // Nothing more: the response stays open until the client closes it (or the server closes).
      return;
  }
}
