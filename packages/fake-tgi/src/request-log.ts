import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Liveness } from './liveness.js';
import type { RecordedRequest } from './types.js';

interface Waiter {
  n: number;
  resolve: (r: RecordedRequest) => void;
}

/** Records requests and tells tests when they arrive, end, or are abandoned by the client. */
export class RequestLog {
  readonly requests: RecordedRequest[] = [];
  private nextId = 1;
  private waiters: Waiter[] = [];

  /** Starts a record and watches the response for the client leaving early. */
  begin(req: IncomingMessage, res: ServerResponse): { rec: RecordedRequest; live: Liveness } {
    let abortedResolve!: () => void;
    let endedResolve!: () => void;
    let goneResolve!: () => void;
    const onAborted = new Promise<void>((r) => {
      abortedResolve = r;
    });
    const onEnded = new Promise<void>((r) => {
      endedResolve = r;
    });
    const onGone = new Promise<void>((r) => {
      goneResolve = r;
    });
    const rec: RecordedRequest = {
      id: this.nextId++,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: undefined,
      rawBody: '',
      startedAt: Date.now(),
      get status() {
        return res.headersSent ? res.statusCode : undefined;
      },
      tokensSent: 0,
      clientAborted: false,
      onAborted,
      onEnded,
    };
    let closed = false;
    let serverCut = false;
    const subscribers = new Set<() => void>();
    res.once('close', () => {
      closed = true;
      rec.endedAt = Date.now();
      if (!res.writableFinished && !serverCut) {
        rec.clientAborted = true;
        rec.abortedAt = rec.endedAt;
        abortedResolve();
      }
      goneResolve();
      endedResolve();
      for (const cb of subscribers) cb();
      subscribers.clear();
    });
    const live: Liveness = {
      gone: () => closed,
      onGone,
      subscribe: (cb) => {
        if (closed) {
          queueMicrotask(cb);
          return () => {};
        }
        subscribers.add(cb);
        return () => subscribers.delete(cb);
      },
      markServerCut: () => {
        serverCut = true;
      },
    };
    return { rec, live };
  }

  /** Makes the record visible once its body has been read. */
  publish(rec: RecordedRequest): void {
    this.requests.push(rec);
    const ready = this.waiters.filter((w) => w.n <= this.requests.length);
    this.waiters = this.waiters.filter((w) => w.n > this.requests.length);
    for (const w of ready) w.resolve(this.requests[w.n - 1]!);
  }

  waitFor(n = 1): Promise<RecordedRequest> {
    const have = this.requests[n - 1];
    if (have) return Promise.resolve(have);
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  clear(): void {
    this.requests.length = 0;
  }
}
