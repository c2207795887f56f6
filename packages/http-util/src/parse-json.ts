import { OrchError, type RedactedRequest } from '@orch/adapter-api';

/** Structural schema type (zod's `ZodType` fits) so this package doesn't depend on zod. */
export interface SchemaLike<T> {
  safeParse(data: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
      };
}

/** Parses a 2xx JSON body (empty → undefined) and validates it; both failures are PROTOCOL errors. */
export function parseJson<T>(text: string, schema: SchemaLike<T> | undefined, request: RedactedRequest): T {
  let value: unknown;
  if (text.trim() === '') value = undefined;
  else {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new OrchError('PROTOCOL', `Upstream sent invalid JSON: ${(err as Error).message}`, {
        retriable: false,
        request,
        cause: err,
      });
    }
  }
  if (!schema) return value as T;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  throw new OrchError(
    'PROTOCOL',
    `Upstream response failed validation at '${field || '(root)'}': ${issue?.message ?? 'invalid'}`,
    {
      retriable: false,
      request,
      field,
    },
  );
}
