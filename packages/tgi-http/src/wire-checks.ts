import { OrchError } from '@orch/adapter-api';

// Field checks the TGI wire parsers share: they run on every event, so plain typeof tests, no schema.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null;
}

/** A PROTOCOL error quoting (the start of) the event that broke the format; retriable. */
export function protocol(message: string, data: string): OrchError {
  const sample = data.length > 200 ? `${data.slice(0, 200)}…` : data;
  return new OrchError('PROTOCOL', `${message}: ${sample}`, { retriable: true });
}
