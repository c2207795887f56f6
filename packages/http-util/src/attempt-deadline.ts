import { Canceller, type CancelSignal, OrchError, type RedactedRequest } from '@orch/adapter-api';

export interface AttemptDeadline {
  signal: CancelSignal;
  dispose(): void;
}

/** A per-attempt deadline merged with the caller's signal; the deadline aborts with a TIMEOUT OrchError. */
export function attemptDeadline(
  ms: number,
  outer: CancelSignal | undefined,
  request: RedactedRequest,
): AttemptDeadline {
  // A Canceller, not an AbortController: an AbortSignal per attempt would outlive the young GC.
  const controller = new Canceller();
  const onOuter = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  const timer = setTimeout(() => {
    controller.abort(
      new OrchError('TIMEOUT', `No complete response within ${ms} ms`, {
        timeoutPhase: 'total',
        request,
      }),
    );
  }, ms);
  return {
    signal: controller,
    dispose(): void {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
