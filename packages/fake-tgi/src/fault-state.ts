import type { FaultConfig, InStreamErrorType } from './types.js';

/** Faults that fire at a token position inside a generation. */
export interface TokenFaults {
  stallAfter?: number;
  cutAfter?: number;
  malformedAfter?: number;
  hugeLine?: { after: number; bytes: number };
  inStreamError?: { after: number; errorType: InStreamErrorType; message?: string };
  slowDripMs: number;
  firstTokenDelayMs: number;
}

type Key = keyof FaultConfig;
const COUNTED: ReadonlySet<Key> = new Set<Key>([
  'stallBeforeHeaders',
  'stallAfterTokens',
  'cutAfterTokens',
  'overloaded429',
  'status5xx',
  'malformedAfterTokens',
  'hugeLineAfterTokens',
  'inStreamErrorAfterTokens',
  'plainTextError',
  'unauthorized',
  'modelLoading',
]);

function countOf(value: unknown): number | undefined {
  if (typeof value === 'object' && value !== null && 'count' in value) {
    const c = (value as { count?: unknown }).count;
    return typeof c === 'number' ? c : undefined;
  }
  return undefined;
}

function afterOf(value: number | { after: number }): number {
  return typeof value === 'number' ? value : value.after;
}

/** Holds the active faults and their remaining counts; a fault whose count reaches 0 is removed. */
export class FaultState {
  private current: Partial<FaultConfig> = {};
  private remaining = new Map<Key, number>();

  constructor(initial: Partial<FaultConfig> = {}) {
    this.set(initial);
  }

  get snapshot(): Partial<FaultConfig> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.current)) {
      const left = this.remaining.get(k as Key);
      out[k] = left !== undefined && typeof v === 'object' && v !== null ? { ...v, count: left } : v;
    }
    return out as Partial<FaultConfig>;
  }

  /** Merges: a key set to undefined, null or false clears that fault (0 is a real value, e.g. after: 0). */
  set(f: Partial<FaultConfig>): void {
    for (const [k, v] of Object.entries(f) as [Key, unknown][]) {
      this.remaining.delete(k);
      if (v === undefined || v === false || v === null) {
        delete this.current[k];
        continue;
      }
      (this.current as Record<string, unknown>)[k] = v;
      const c = countOf(v);
      if (c !== undefined && COUNTED.has(k)) {
        if (c <= 0) delete this.current[k];
        else this.remaining.set(k, c);
      }
    }
  }

  clear(): void {
    this.current = {};
    this.remaining.clear();
  }

  peek<K extends Key>(key: K): FaultConfig[K] | undefined {
    return this.current[key];
  }

  /** Returns the fault if active and uses up one of its count. */
  take<K extends Key>(key: K): FaultConfig[K] | undefined {
    const v = this.current[key];
    if (v === undefined) return undefined;
    const left = this.remaining.get(key);
    if (left !== undefined) {
      if (left <= 1) {
        this.remaining.delete(key);
        delete this.current[key];
      } else {
        this.remaining.set(key, left - 1);
      }
    }
    return v;
  }

  /** Takes every token-position fault for one generation request. */
  takeTokenFaults(): TokenFaults {
    const out: TokenFaults = {
      slowDripMs: this.current.slowDripMs ?? 0,
      firstTokenDelayMs: this.current.firstTokenDelayMs ?? 0,
    };
    const stall = this.take('stallAfterTokens');
    if (stall !== undefined) out.stallAfter = afterOf(stall);
    const cut = this.take('cutAfterTokens');
    if (cut !== undefined) out.cutAfter = afterOf(cut);
    const bad = this.take('malformedAfterTokens');
    if (bad !== undefined) out.malformedAfter = afterOf(bad);
    const huge = this.take('hugeLineAfterTokens');
    if (huge !== undefined) out.hugeLine = { after: huge.after, bytes: huge.bytes };
    const err = this.take('inStreamErrorAfterTokens');
    if (err !== undefined) {
      out.inStreamError = { after: err.after, errorType: err.errorType };
      if (err.message !== undefined) out.inStreamError.message = err.message;
    }
    return out;
  }
}
