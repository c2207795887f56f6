export type Priority = 'interactive' | 'batch';
export type QueuePolicy = 'reject' | 'drop-lru';

export interface Queued {
  readonly task: { priority: Priority };
  /**
   * When the job first entered a queue (the queue's clock), written by the queue and kept across
   * requeueFront so a retried job keeps its age. On the job, not in a WeakMap keyed by jobs: V8's
   * scavenger walks a weak map's whole table, and entries for dead young keys stay in it until a
   * full GC, so each request made every later scavenge a little slower (see adapter-api's task.ts).
   */
  queueArrival?: number | undefined;
}

export type AdmitResult<T> = { ok: true; evicted?: T } | { ok: false };

export interface JobQueueOptions {
  /** How long a batch job waits before newer interactive jobs stop overtaking it (default 30000). */
  batchMaxWaitMs?: number;
  /** Milliseconds on a monotonic clock (default `performance.now`); tests inject their own. */
  now?: () => number;
}

const DEFAULT_BATCH_MAX_WAIT_MS = 30_000;

/**
 * A bounded two-class queue, FIFO within a class. Interactive jobs overtake batch jobs, but only
 * those that arrived less than `batchMaxWaitMs` after the batch job: a batch job competes as if it
 * had arrived `batchMaxWaitMs` later than it did. So interactive goes first in the normal case, a
 * flood of interactive work cannot starve batch (once a batch job has waited that long, no newer
 * interactive job passes it), and the order depends only on arrival times, never on when a slot
 * frees up, which keeps `position()` true to what the queue will do.
 *
 * When full, `reject` refuses the newcomer; `drop-lru` evicts the oldest batch job (the one
 * waiting longest for the least urgent work) and refuses only when none is left to evict.
 */
export class JobQueue<T extends Queued> {
  batchMaxWaitMs: number;
  private interactive: T[] = [];
  private batch: T[] = [];
  private readonly now: () => number;

  constructor(
    public capacity: number,
    public policy: QueuePolicy,
    opts: JobQueueOptions = {},
  ) {
    this.batchMaxWaitMs = opts.batchMaxWaitMs ?? DEFAULT_BATCH_MAX_WAIT_MS;
    this.now = opts.now ?? performance.now.bind(performance);
  }

  get depth(): number {
    return this.interactive.length + this.batch.length;
  }

  depthOf(priority: Priority): number {
    return priority === 'interactive' ? this.interactive.length : this.batch.length;
  }

  admit(item: T): AdmitResult<T> {
    let evicted: T | undefined;
    if (this.depth >= this.capacity) {
      if (this.policy === 'reject' || this.batch.length === 0) return { ok: false };
      evicted = this.batch.shift();
    }
    item.queueArrival = this.now();
    this.listFor(item).push(item);
    return evicted ? { ok: true, evicted } : { ok: true };
  }

  /** Puts an already admitted job back at the head of its class (failover, backpressure). */
  requeueFront(item: T): void {
    if (item.queueArrival === undefined) item.queueArrival = this.now();
    this.listFor(item).unshift(item);
  }

  remove(item: T): boolean {
    const list = this.listFor(item);
    const i = list.indexOf(item);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** How many jobs will be served before this one (0 = next). -1 when not queued. */
  position(item: T): number {
    let n = 0;
    let found = false;
    this.walk((it) => {
      if (it === item) {
        found = true;
        return true;
      }
      n++;
      return false;
    });
    return found ? n : -1;
  }

  /** Where a new job of this priority would land (how many queued jobs would be served first). */
  positionFor(priority: Priority): number {
    const arrival = this.now();
    const own = priority === 'batch' ? this.batch : this.interactive;
    // Its own class is all served first; of the other class, whatever the merge serves before
    // reaching the tail of its own, then those that still beat the newcomer.
    let ownLeft = own.length;
    let n = 0;
    this.walk((item, list) => {
      if (ownLeft === 0) {
        const beats =
          priority === 'batch'
            ? !this.batchFirst(arrival, this.arrivalOf(item))
            : this.batchFirst(this.arrivalOf(item), arrival);
        if (!beats) return true;
      }
      if (list === own) ownLeft--;
      n++;
      return false;
    });
    return n;
  }

  /**
   * The first job (in service order) for which `match` finds a home, removed from the queue.
   * Scans past jobs that can't run yet (pinned to a busy replica) so they don't block the rest.
   */
  takeFirst<R>(match: (item: T) => R | undefined): { item: T; value: R } | undefined {
    let out: { item: T; value: R } | undefined;
    this.walk((item, list, index) => {
      const value = match(item);
      if (value === undefined) return false;
      list.splice(index, 1);
      out = { item, value };
      return true;
    });
    return out;
  }

  /** Empties the queue, returning what was in it (service order). */
  drainAll(): T[] {
    const all = this.items();
    this.interactive = [];
    this.batch = [];
    return all;
  }

  /** The queued jobs in service order. */
  items(): T[] {
    const all: T[] = [];
    this.walk((item) => {
      all.push(item);
      return false;
    });
    return all;
  }

  /** A batch job that arrived at `batchAt` goes before an interactive one that arrived at `interactiveAt`. */
  private batchFirst(batchAt: number, interactiveAt: number): boolean {
    return batchAt + this.batchMaxWaitMs < interactiveAt;
  }

  private arrivalOf(item: T): number {
    return item.queueArrival ?? 0;
  }

  /**
   * Visits the jobs in service order (a merge of the two classes by effective arrival) until
   * `visit` returns true. Arrival times are only read when both classes hold jobs, so the common
   * single-class queue costs what a plain array scan does.
   */
  private walk(visit: (item: T, list: T[], index: number) => boolean): void {
    const inter = this.interactive;
    const batch = this.batch;
    let i = 0;
    let b = 0;
    while (i < inter.length || b < batch.length) {
      const takeBatch =
        b < batch.length &&
        (i >= inter.length || this.batchFirst(this.arrivalOf(batch[b]!), this.arrivalOf(inter[i]!)));
      if (takeBatch) {
        if (visit(batch[b]!, batch, b)) return;
        b++;
      } else {
        if (visit(inter[i]!, inter, i)) return;
        i++;
      }
    }
  }

  private listFor(item: T): T[] {
    return item.task.priority === 'batch' ? this.batch : this.interactive;
  }
}
