// Just enough of JSON Schema (as OpenAPI 3.1 uses it) to check our responses against
// specs/openapi-compat.yaml: $ref, allOf, oneOf, const, enum, type, required, properties,
// additionalProperties: false, items, min/maxItems, minimum.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type Schema = Record<string, unknown>;

export function loadSpec(): Schema {
  const file = fileURLToPath(new URL('../../../../../../specs/openapi-compat.yaml', import.meta.url));
  return parse(readFileSync(file, 'utf8')) as Schema;
}

function resolve(root: Schema, ref: string): Schema {
  let node: unknown = root;
  for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Schema)[part];
  if (!node || typeof node !== 'object') throw new Error(`unresolved $ref ${ref}`);
  return node as Schema;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

export function validate(root: Schema, schema: Schema, value: unknown, at = '$'): string[] {
  if (typeof schema.$ref === 'string') return validate(root, resolve(root, schema.$ref), value, at);
  const errors: string[] = [];
  if (Array.isArray(schema.allOf)) {
    for (const s of schema.allOf) errors.push(...validate(root, s as Schema, value, at));
  }
  if (Array.isArray(schema.oneOf)) {
    const ok = schema.oneOf.filter((s) => validate(root, s as Schema, value, at).length === 0).length;
    if (ok !== 1) errors.push(`${at}: matches ${ok} of oneOf`);
  }
  if ('const' in schema && value !== schema.const) errors.push(`${at}: expected ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${at}: ${String(value)} not in enum`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeMatches(t, typeOf(value)))) errors.push(`${at}: expected ${types.join('|')}`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) {
    errors.push(`${at}: below ${schema.minimum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      errors.push(`${at}: too few items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      errors.push(`${at}: too many items`);
    if (schema.items) {
      for (const [i, v] of value.entries())
        errors.push(...validate(root, schema.items as Schema, v, `${at}[${i}]`));
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in obj)) errors.push(`${at}: missing ${key}`);
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, v] of Object.entries(obj)) {
      const p = props[key];
      if (p) errors.push(...validate(root, p, v, `${at}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: unexpected ${key}`);
    }
  }
  return errors;
}

/** The schema of a path's response, e.g. ('/v1/models', 'get', '200', 'application/json'). */
export function responseSchema(
  root: Schema,
  path: string,
  method: string,
  status: string,
  type: string,
): Schema {
  const op = (root.paths as Record<string, Record<string, Schema>>)[path]?.[method];
  if (!op) throw new Error(`no ${method} ${path} in the spec`);
  let response = (op.responses as Record<string, Schema>)[status];
  if (!response) throw new Error(`no ${status} response for ${method} ${path}`);
  if (typeof response.$ref === 'string') response = resolve(root, response.$ref);
  const media = (response.content as Record<string, { schema: Schema }> | undefined)?.[type];
  if (!media) throw new Error(`no ${type} content for ${status} ${method} ${path}`);
  return media.schema;
}
