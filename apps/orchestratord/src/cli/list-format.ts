// Plain-text tables for `orchd pools` / `orchd models`. Daemon answers are validated loosely: a
// newer daemon's extra fields are fine, a shape we cannot read is printed as JSON instead.
import { z } from 'zod';
import { type CliIo, EXIT } from './cli-common.js';

const Replica = z.looseObject({
  id: z.string(),
  state: z.string(),
  inFlight: z.number().optional(),
  maxConcurrent: z.number().optional(),
  breaker: z.string().optional(),
});

export const PoolRow = z.looseObject({
  id: z.string(),
  adapter: z.string().optional(),
  models: z.array(z.string()).optional(),
  draining: z.boolean().optional(),
  queue: z.looseObject({ depth: z.number(), capacity: z.number() }).optional(),
  replicas: z.array(Replica).optional(),
});

export const ModelRow = z.looseObject({
  id: z.string(),
  pools: z.array(z.string()).optional(),
  props: z.looseObject({ engine: z.string().optional(), maxTotalTokens: z.number().optional() }).optional(),
});

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function poolTable(pools: z.infer<typeof PoolRow>[]): string {
  const rows = pools.map((p) => {
    const replicas = p.replicas ?? [];
    const ready = replicas.filter((r) => r.state === 'ready').length;
    const busy = replicas.reduce((n, r) => n + (r.inFlight ?? 0), 0);
    const slots = replicas.reduce((n, r) => n + (r.maxConcurrent ?? 0), 0);
    return [
      p.id,
      p.adapter ?? '-',
      `${ready}/${replicas.length}${p.draining ? ' (draining)' : ''}`,
      `${busy}/${slots}`,
      p.queue ? `${p.queue.depth}/${p.queue.capacity}` : '-',
      (p.models ?? []).join(',') || '-',
    ];
  });
  return table(['POOL', 'ADAPTER', 'READY', 'IN-FLIGHT', 'QUEUE', 'MODELS'], rows);
}

export function modelTable(models: z.infer<typeof ModelRow>[]): string {
  const rows = models.map((m) => [
    m.id,
    (m.pools ?? []).join(',') || '-',
    m.props?.engine ?? '-',
    m.props?.maxTotalTokens === undefined ? '-' : String(m.props.maxTotalTokens),
  ]);
  return table(['MODEL', 'POOLS', 'ENGINE', 'CONTEXT'], rows);
}

/**
 * Prints `items` as a table when every one fits `row` (or `empty` when there are none); with `json`, or
 * when the daemon's answer has a shape we cannot read, prints it as JSON instead.
 */
export function writeList<R extends z.ZodType>(
  io: CliIo,
  json: boolean,
  items: unknown[],
  row: R,
  empty: string,
  format: (rows: z.infer<R>[]) => string,
): number {
  const rows = z.array(row).safeParse(items);
  if (json || !rows.success) io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
  else io.stdout.write(items.length === 0 ? `${empty}\n` : format(rows.data));
  return EXIT.ok;
}
