// Compact fixed-width tables for the bench output (numbers right-aligned, text left-aligned).

export type Cell = string | number;

function cellText(c: Cell): string {
  if (typeof c === 'string') return c;
  if (!Number.isFinite(c)) return '—';
  if (Number.isInteger(c)) return String(c);
  return Math.abs(c) >= 100 ? c.toFixed(0) : c.toFixed(2);
}

export function formatTable(title: string, header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map(cellText));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], raw: Cell[] | undefined) =>
    cells
      .map((c, i) => (raw && typeof raw[i] === 'number' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [`\n${title}`, line(header, undefined), widths.map((w) => '-'.repeat(w)).join('  ')];
  text.forEach((r, i) => {
    out.push(line(r, rows[i]));
  });
  return out.join('\n');
}

export function printTable(title: string, header: string[], rows: Cell[][]): void {
  process.stdout.write(`${formatTable(title, header, rows)}\n`);
}

export function note(text: string): void {
  process.stdout.write(`${text}\n`);
}
