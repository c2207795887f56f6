// The daemon's ServerResponse: per-request state sits in one plain object on the response and the
// hooks live on the prototype. Closures made per request and hung on `res` (a writeHead override,
// a close listener) kept whole request graphs alive through young-generation GCs: at 1000 req/s the
// daemon promoted ~3 MB per scavenge and paused ~8 ms each time; with this shape it is ~0.6 MB.
import { ServerResponse } from 'node:http';
import { Canceller, type CancelSignal, OrchError } from '@orch/adapter-api';

/** What the server needs back from a response's hooks (kept narrow so this file has no cycle). */
export interface ResponseOwner {
  stampOverhead(res: DaemonResponse, state: ResponseState): void;
  closed(res: DaemonResponse, state: ResponseState): void;
}

export class ResponseState {
  route = 'unmatched';
  private abort: Canceller | undefined;
  private gone = false;

  constructor(
    readonly owner: ResponseOwner,
    readonly t0: number,
    readonly correlationId: string,
    readonly method: string,
  ) {}

  /**
   * Aborts when the client goes away; made on first use since most requests never need one. A
   * Canceller, not an AbortController: on Node 20 an AbortSignal per request outlives the young
   * generation (see @orch/adapter-api's canceller.ts).
   */
  get signal(): CancelSignal {
    if (!this.abort) {
      this.abort = new Canceller();
      if (this.gone) this.abort.abort(clientGone());
    }
    return this.abort;
  }

  get clientLeft(): boolean {
    return this.gone;
  }

  clientGone(): void {
    this.gone = true;
    this.abort?.abort(clientGone());
  }
}

function clientGone(): OrchError {
  return new OrchError('CANCELLED', 'The client went away', { retriable: false });
}

export class DaemonResponse extends ServerResponse {
  /** Set by the server before any route sees the response. */
  orch: ResponseState | undefined;
}

// Node sends implicit headers through writeHead too, so this sees every response. The figure is
// taken when the headers leave: for a stream its time to start, for a plain response all of the
// daemon's work (the body write after it is negligible).
const baseWriteHead = ServerResponse.prototype.writeHead;
DaemonResponse.prototype.writeHead = function writeHead(
  this: DaemonResponse,
  ...args: Parameters<ServerResponse['writeHead']>
) {
  const state = this.orch;
  if (state && !this.headersSent) state.owner.stampOverhead(this, state);
  return baseWriteHead.apply(this, args);
} as DaemonResponse['writeHead'];

/** Shared close listener (`this` is the response): no function allocated per request. */
export function onResponseClose(this: DaemonResponse): void {
  const state = this.orch;
  if (state) state.owner.closed(this, state);
}
