export interface FilteredToken {
  id: number;
  text: string;
  special: boolean;
}

interface Pending extends FilteredToken {
  start: number;
  end: number;
}

/**
 * Matches stop sequences on decoded text across token boundaries. A token whose text might be the
 * start of a stop sequence is held back until the next tokens decide; when a stop sequence matches,
 * the text from its first character on is cut, and every generated token is still released once
 * (tokens inside the stop sequence carry empty text), so released texts always join to `text`.
 */
export class StopSequenceFilter {
  private all = '';
  private readonly pending: Pending[] = [];
  private cut = -1;
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = stops.reduce((m, s) => Math.max(m, s.length), 0);
  }

  get stopped(): boolean {
    return this.cut >= 0;
  }

  /** The text so far, without the stop sequence and what followed it. */
  get text(): string {
    return this.cut >= 0 ? this.all.slice(0, this.cut) : this.all;
  }

  push(id: number, delta: string, special: boolean): FilteredToken[] {
    if (this.cut >= 0) return [{ id, text: '', special }];
    const start = this.all.length;
    this.all += delta;
    if (this.stops.length === 0) return [{ id, text: delta, special }];
    this.pending.push({ id, text: delta, special, start, end: this.all.length });
    const from = Math.max(0, start - this.longest + 1);
    let match = -1;
    for (const s of this.stops) {
      const at = this.all.indexOf(s, from);
      if (at >= 0 && (match < 0 || at < match)) match = at;
    }
    if (match >= 0) {
      this.cut = match;
      return this.releaseAll(match);
    }
    const safeEnd = this.all.length - this.heldSuffix();
    const out: FilteredToken[] = [];
    while (this.pending.length > 0 && (this.pending[0]?.end ?? 0) <= safeEnd) {
      const p = this.pending.shift()!;
      out.push({ id: p.id, text: p.text, special: p.special });
    }
    return out;
  }

  /** Releases whatever is still held (generation ended without completing a stop sequence). */
  flush(): FilteredToken[] {
    return this.releaseAll(this.all.length);
  }

  private releaseAll(limit: number): FilteredToken[] {
    const out = this.pending.map((p) => ({
      id: p.id,
      text: this.all.slice(Math.min(p.start, limit), Math.min(p.end, limit)),
      special: p.special,
    }));
    this.pending.length = 0;
    return out;
  }

  /** Length of the longest end of the text that is a proper prefix of some stop sequence. */
  private heldSuffix(): number {
    let held = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, this.all.length); k > held; k--) {
        if (this.all.endsWith(s.slice(0, k))) {
          held = k;
          break;
        }
      }
    }
    return held;
  }
}
