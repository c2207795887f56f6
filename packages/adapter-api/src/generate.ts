import type { GenerateResult } from './adapter.js';
import { errorFromEvent } from './error-from-event.js';
import { OrchError } from './errors.js';
import type { StartedEvent } from './events.js';
import type { TokenStream } from './token-stream.js';

/** Consumes a stream and resolves with the final result, or rejects with the job's OrchError. */
export async function collectResult(stream: TokenStream, engine: string): Promise<GenerateResult> {
  let started: StartedEvent | undefined;
  for await (const ev of stream) {
    if (ev.type === 'started') started = ev;
    else if (ev.type === 'end') {
      const result: GenerateResult = {
        job_id: ev.job_id,
        text: ev.text,
        finish_reason: ev.finish_reason,
        usage: ev.usage,
        metrics: ev.metrics,
        engine: started?.engine ?? engine,
        engine_version: started?.engine_version ?? 'unknown',
        model: started?.model ?? 'unknown',
      };
      if (ev.tool_calls) result.tool_calls = ev.tool_calls;
      return result;
    } else if (ev.type === 'error') {
      throw errorFromEvent(ev);
    }
  }
  throw new OrchError('PROTOCOL', 'The stream ended without a final event');
}
