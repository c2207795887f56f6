/** Nearest-rank percentiles of a sample (ms), sorted once. */
export function percentiles(samples: number[], ps: number[] = [50, 90, 99]): Record<string, number> {
  const sorted = Float64Array.from(samples).sort();
  const out: Record<string, number> = {};
  for (const p of ps) {
    if (sorted.length === 0) {
      out[`p${p}`] = Number.NaN;
      continue;
    }
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    out[`p${p}`] = sorted[rank] ?? Number.NaN;
  }
  return out;
}

export function fmt(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(2) : '—';
}
