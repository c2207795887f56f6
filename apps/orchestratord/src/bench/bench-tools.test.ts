import { describe, expect, it } from 'vitest';
import { DEFAULT_ARGS, parseBenchArgs } from './bench-args.js';
import { PatternCounter } from './pattern-counter.js';
import { percentiles } from './percentiles.js';
import { sumScavenges } from './promotion.js';
import { formatTable } from './table.js';

describe('bench tools', () => {
  it('counts SSE events across every possible chunk split', () => {
    const body = Buffer.from('data: {"a":1}\n\ndata: {"b":2}\n\nevent: token\ndata: x\n\n');
    for (let cut = 0; cut <= body.length; cut++) {
      for (let cut2 = cut; cut2 <= body.length; cut2 += 3) {
        const c = new PatternCounter('data:');
        c.push(body.subarray(0, cut));
        c.push(body.subarray(cut, cut2));
        c.push(body.subarray(cut2));
        expect(c.count).toBe(3);
      }
    }
  });

  it('does not count a match twice when its end is kept for the next chunk', () => {
    const c = new PatternCounter('aa');
    expect(c.push(Buffer.from('aa'))).toBe(1);
    expect(c.push(Buffer.from('a'))).toBe(0);
    expect(c.push(Buffer.from('a'))).toBe(1);
    expect(c.count).toBe(2);
  });

  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(xs)).toEqual({ p50: 50, p90: 90, p99: 99 });
    expect(percentiles([], [50]).p50).toBeNaN();
  });

  it('parses the bench flags and rejects unknown or out-of-range ones', () => {
    expect(parseBenchArgs([])).toEqual(DEFAULT_ARGS);
    const a = parseBenchArgs(['--rates', '100,300', '--duration=2', '--memory-requests', '5000']);
    expect(a.rates).toEqual([100, 300]);
    expect(a.durationMs).toBe(2000);
    expect(a.memoryRequests).toBe(5000);
    expect(() => parseBenchArgs(['--bogus'])).toThrow(/unknown flag '--bogus'/);
    expect(() => parseBenchArgs(['--duration', '0'])).toThrow(/--duration needs a number/);
  });

  it('aligns table columns, numbers to the right', () => {
    const t = formatTable(
      'T',
      ['name', 'ms'],
      [
        ['a', 1.5],
        ['long name', 12.25],
      ],
    ).split('\n');
    expect(t).toEqual(['', 'T', 'name       ms', '---------  -----', 'a           1.50', 'long name  12.25']);
  });

  it('sums the scavenges of a --trace-gc-nvp log between the marks, and only those', () => {
    const line = (gc: string, promoted: number, allocated: number, pause: number) =>
      `[1:0x1]  10 ms: pause=${pause} mutator=1.0 gc=${gc} reduce_memory=0 allocated=${allocated} promoted=${promoted} nodes_promoted=0`;
    const log = [
      line('s', 999, 999, 9),
      'MARK start',
      line('s', 100, 1000, 1.5),
      line('mc', 5000, 5000, 7),
      line('s', 300, 3000, 2.5),
      'MARK end',
      line('s', 999, 999, 9),
    ].join('\n');
    expect(sumScavenges(log)).toEqual({ scavenges: 2, promotedBytes: 400, allocatedBytes: 4000, pauseMs: 4 });
  });
});
