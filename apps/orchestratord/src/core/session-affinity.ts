export interface AffinityTarget {
  pool: string;
  replica: string;
}

/** session_id → the replica that served it last; bounded, least recently used sessions forgotten. */
export class SessionAffinity {
  private readonly map = new Map<string, AffinityTarget>();

  constructor(private readonly max = 10_000) {}

  get(session: string): AffinityTarget | undefined {
    const t = this.map.get(session);
    if (t) {
      // Re-insert to mark as recently used (Map keeps insertion order).
      this.map.delete(session);
      this.map.set(session, t);
    }
    return t;
  }

  set(session: string, target: AffinityTarget): void {
    this.map.delete(session);
    this.map.set(session, target);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.map.size;
  }
}
