import { OrchError } from '@orch/adapter-api';

type Ctor = new (options: Record<string, unknown>) => unknown;

/**
 * Loads an adapter class from a workspace package only when a pool uses it, so the daemon starts
 * (and the other adapters work) even when an optional engine package is absent or not built.
 */
export async function importAdapterClass(specifier: string, exportName: string): Promise<Ctor> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new OrchError(
      'UNSUPPORTED',
      `adapter package ${specifier} could not be loaded (${why}); build it with ` +
        `\`npx turbo run build --filter=${specifier}\` or remove the pools that use it`,
      { retriable: false, cause: err },
    );
  }
  const ctor = mod[exportName];
  if (typeof ctor !== 'function') {
    throw new OrchError('UNSUPPORTED', `${specifier} does not export a class named ${exportName}`, {
      retriable: false,
    });
  }
  return ctor as Ctor;
}
