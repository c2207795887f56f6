import type { TokenFaults } from './fault-state.js';
import type { SseWriter } from './sse-writer.js';
import type { StreamCache } from './stream-cache.js';
import type { InStreamErrorType } from './types.js';

/** What a stream route sends: one (possibly empty) chunk of SSE text per generated token, then a trailer. */
export interface StreamScript {
  total: number;
  /** SSE text for generated token i (0-based); may be '' when the route sends nothing for it. */
  eventFor(i: number): string;
  /** SSE text after the last token (usage chunk, `[DONE]`, ...). */
  trailer(): string;
  /** The route's in-stream error framing (OpenAI routes add `[DONE]`). */
  errorEvent(errorType: InStreamErrorType, message: string): string;
}

type FaultAction =
  | { kind: 'stall' }
  | { kind: 'cut' }
  | { kind: 'malformed' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'error'; errorType: InStreamErrorType; message: string };

export function defaultErrorMessage(type: InStreamErrorType): string {
  switch (type) {
    case 'generation':
      return 'Request failed during generation: Server error: CUDA out of memory';
    case 'validation':
      return 'Input validation error: `inputs` must have less than 4095 tokens. Given: 5000';
    default:
      return 'Incomplete generation stream';
  }
}

/** The earliest token-position fault (ties: error, malformed, huge line, cut, stall). */
function firstFault(f: TokenFaults, total: number): { at: number; action: FaultAction } | undefined {
  const candidates: { at: number; action: FaultAction }[] = [];
  if (f.inStreamError) {
    const e = f.inStreamError;
    candidates.push({
      at: e.after,
      action: {
        kind: 'error',
        errorType: e.errorType,
        message: e.message ?? defaultErrorMessage(e.errorType),
      },
    });
  }
  if (f.malformedAfter !== undefined)
    candidates.push({ at: f.malformedAfter, action: { kind: 'malformed' } });
  if (f.hugeLine)
    candidates.push({ at: f.hugeLine.after, action: { kind: 'huge', bytes: f.hugeLine.bytes } });
  if (f.cutAfter !== undefined) candidates.push({ at: f.cutAfter, action: { kind: 'cut' } });
  if (f.stallAfter !== undefined) candidates.push({ at: f.stallAfter, action: { kind: 'stall' } });
  let best: { at: number; action: FaultAction } | undefined;
  for (const c of candidates) {
    const at = Math.max(0, Math.min(c.at, total));
    if (best === undefined || at < best.at) best = { at, action: c.action };
  }
  return best;
}

async function applyFault(w: SseWriter, script: StreamScript, action: FaultAction): Promise<void> {
  switch (action.kind) {
    case 'stall':
      return w.hang();
    case 'cut':
      return w.cut();
    case 'malformed':
      w.append(`${w.prefix}{not json\n\n`);
      await w.end();
      return;
    case 'huge':
      return w.hugeLine(action.bytes);
    case 'error':
      w.append(script.errorEvent(action.errorType, action.message));
      await w.end();
      return;
  }
}

/**
 * Sends a token stream with the request's faults applied. With no drip delay events are batched and
 * no timers run; generation stops as soon as the client leaves.
 */
export async function runTokenStream(
  w: SseWriter,
  script: StreamScript,
  faults: TokenFaults,
  onToken: (sent: number) => void,
  cache?: { store: StreamCache; key: string },
): Promise<void> {
  const fault = firstFault(faults, script.total);
  const cacheable =
    cache !== undefined && !fault && faults.slowDripMs === 0 && faults.firstTokenDelayMs === 0;
  if (cacheable) {
    const hit = cache.store.get(cache.key);
    if (hit) return replay(w, hit.chunks, hit.tokensAfter, onToken);
    w.capture = { chunks: [], tokensAfter: [] };
  }
  const stopAt = fault ? fault.at : script.total;
  if (faults.firstTokenDelayMs > 0) {
    await w.sleep(faults.firstTokenDelayMs);
    if (w.gone) return;
  }
  const drip = faults.slowDripMs;
  for (let i = 0; i < stopAt; i++) {
    w.append(script.eventFor(i));
    w.tokens = i + 1;
    onToken(i + 1);
    if (drip > 0) {
      if (!(await w.flush())) return;
      if (i + 1 < script.total) await w.sleep(drip);
      if (w.gone) return;
    } else if (w.buffered >= 16 * 1024) {
      if (!(await w.flush(false))) return;
    }
  }
  if (fault) return applyFault(w, script, fault.action);
  w.append(script.trailer());
  const completed = await w.end();
  if (cacheable && completed && w.capture)
    cache.store.set(cache.key, w.capture.chunks, w.capture.tokensAfter);
  w.capture = undefined;
}

async function replay(
  w: SseWriter,
  chunks: Buffer[],
  tokensAfter: number[],
  onToken: (sent: number) => void,
): Promise<void> {
  for (let i = 0; i < chunks.length; i++) {
    if (!(await w.writeChunk(chunks[i]!))) return;
    onToken(tokensAfter[i]!);
  }
  w.finish();
}
