/** Watches one response for the client going away (socket closed before the server finished). */
export interface Liveness {
  gone(): boolean;
  /** Resolves when the client leaves (or the response closes); never rejects. Await it once, not in loops. */
  readonly onGone: Promise<void>;
  /** Calls `cb` once when the response closes; returns the unsubscribe function. */
  subscribe(cb: () => void): () => void;
  /** Marks that the server itself is about to drop the socket, so that is not counted as a client abort. */
  markServerCut(): void;
}

/** Waits `ms`, or less if the client leaves; leaves no timer or listener behind. */
export function sleepUnlessGone(live: Liveness, ms: number): Promise<void> {
  if (live.gone() || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = live.subscribe(done);
  });
}
