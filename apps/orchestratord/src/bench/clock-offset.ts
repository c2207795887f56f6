// Cross-process clock: each process stamps events with performance.timeOrigin + performance.now();
// the origins of two processes can disagree by a little, so the offset of a child's clock is measured
// by ping (NTP-style, the sample with the smallest round trip wins) and subtracted.
import type { BenchChild } from './bench-child.js';

export interface ClockOffset {
  /** child clock − our clock, ms. */
  offsetMs: number;
  /** Half the best round trip: the bound on the offset's error, ms. */
  errorMs: number;
}

export function nowAbs(): number {
  return performance.timeOrigin + performance.now();
}

export async function measureOffset(child: BenchChild, samples = 30): Promise<ClockOffset> {
  let best: ClockOffset = { offsetMs: 0, errorMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < samples; i++) {
    const t0 = nowAbs();
    const r = await child.request({ type: 'now' }, 5_000);
    const t1 = nowAbs();
    const half = (t1 - t0) / 2;
    if (half < best.errorMs && typeof r.t === 'number') best = { offsetMs: r.t - (t0 + half), errorMs: half };
  }
  return best;
}
