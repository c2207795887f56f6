import { describe, expect, it } from 'vitest';
import { IncrementalDecoder } from './incremental-decoder.js';
import { type FilteredToken, StopSequenceFilter } from './stop-sequence-filter.js';

function run(stops: string[], deltas: string[]): { out: FilteredToken[]; filter: StopSequenceFilter } {
  const filter = new StopSequenceFilter(stops);
  const out: FilteredToken[] = [];
  deltas.forEach((d, i) => {
    if (!filter.stopped) out.push(...filter.push(i, d, false));
  });
  if (!filter.stopped) out.push(...filter.flush());
  return { out, filter };
}

describe('StopSequenceFilter', () => {
  it('[LT-STOP-1] passes tokens straight through without stop sequences', () => {
    const { out, filter } = run([], ['a', ' b']);
    expect(out.map((t) => t.text)).toEqual(['a', ' b']);
    expect(filter.stopped).toBe(false);
  });

  it('[LT-STOP-2] matches a stop sequence split over three tokens and cuts the text before it', () => {
    const { out, filter } = run(['END!'], ['x E', 'N', 'D!', ' more']);
    expect(filter.stopped).toBe(true);
    expect(filter.text).toBe('x ');
    expect(out.map((t) => t.text)).toEqual(['x ', '', '']);
    expect(out.map((t) => t.id)).toEqual([0, 1, 2]);
  });

  it('[LT-STOP-3] holds back a possible prefix and releases it when the match fails', () => {
    const filter = new StopSequenceFilter(['ab']);
    expect(filter.push(0, 'xa', false)).toEqual([]);
    expect(filter.push(1, 'c', false).map((t) => t.text)).toEqual(['xa', 'c']);
    expect(filter.push(2, 'a', false)).toEqual([]);
    expect(filter.flush().map((t) => t.text)).toEqual(['a']);
    expect(filter.text).toBe('xaca');
  });

  it('[LT-STOP-4] the earliest of several stop sequences wins', () => {
    const { filter } = run(['world', 'lo w'], ['hello', ' world']);
    expect(filter.text).toBe('hel');
  });
});

describe('IncrementalDecoder', () => {
  const vocab = ['orch', 'is', 'fast', '.', '<eos>'];
  const decode = (ids: number[]) =>
    ids
      .map((i) => vocab[i] ?? '?')
      .filter((t) => t !== '<eos>')
      .join(' ')
      .replace(/ \./g, '.');

  it('[LT-STOP-5] yields per-token deltas whose concatenation equals a full decode', () => {
    const d = new IncrementalDecoder(decode);
    const ids = [0, 1, 2, 3, 4];
    const deltas = ids.map((id) => d.push(id));
    expect(deltas).toEqual(['orch', ' is', ' fast', '.', '']);
    expect(deltas.join('')).toBe(decode(ids));
  });
});
