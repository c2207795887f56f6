export type Priority = 'interactive' | 'batch';
export type QueuePolicy = 'reject' | 'drop-lru';

export interface Queued {
  readonly task: { priority: Priority };
}

export type AdmitResult<T> = { ok: true; evicted?: T } | { ok: false };

/**
 * A bounded two-class queue: every interactive job goes before every batch job, FIFO within a
 * class. When full, `reject` refuses the newcomer; `drop-lru` evicts the oldest batch job (the
 * one waiting longest for the least urgent work) and refuses only when none is left to evict.
 */
export class JobQueue<T extends Queued> {
  private interactive: T[] = [];
  private batch: T[] = [];

  constructor(
    public capacity: number,
    public policy: QueuePolicy,
  ) {}

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
    this.listFor(item).push(item);
    return evicted ? { ok: true, evicted } : { ok: true };
  }

  /** Puts an already admitted job back at the head of its class (failover, backpressure). */
  requeueFront(item: T): void {
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
    const i = this.interactive.indexOf(item);
    if (i >= 0) return i;
    const b = this.batch.indexOf(item);
    return b < 0 ? -1 : this.interactive.length + b;
  }

  /** Where a new job of this priority would land. */
  positionFor(priority: Priority): number {
    return priority === 'interactive' ? this.interactive.length : this.depth;
  }

  /**
   * The first job (in service order) for which `match` finds a home, removed from the queue.
   * Scans past jobs that can't run yet (pinned to a busy replica) so they don't block the rest.
   */
  takeFirst<R>(match: (item: T) => R | undefined): { item: T; value: R } | undefined {
    for (const list of [this.interactive, this.batch]) {
      for (let i = 0; i < list.length; i++) {
        const item = list[i]!;
        const value = match(item);
        if (value !== undefined) {
          list.splice(i, 1);
          return { item, value };
        }
      }
    }
    return undefined;
  }

  /** Empties the queue, returning what was in it (service order). */
  drainAll(): T[] {
    const all = [...this.interactive, ...this.batch];
    this.interactive = [];
    this.batch = [];
    return all;
  }

  items(): readonly T[] {
    return [...this.interactive, ...this.batch];
  }

  private listFor(item: T): T[] {
    return item.task.priority === 'batch' ? this.batch : this.interactive;
  }
}
