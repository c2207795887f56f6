/** A deterministic value that satisfies a (simple) JSON schema, used for grammar and tool outputs. */
export function sampleFromSchema(schema: unknown, key = ''): unknown {
  if (typeof schema !== 'object' || schema === null) return {};
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ('const' in s) return s.const;
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return key === 'location' || key === 'city' ? 'Paris' : 'x';
    case 'integer':
    case 'number':
      return 42;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return s.items === undefined ? [] : [sampleFromSchema(s.items)];
    default: {
      const props = s.properties;
      const out: Record<string, unknown> = {};
      if (typeof props === 'object' && props !== null) {
        for (const [k, v] of Object.entries(props)) out[k] = sampleFromSchema(v, k);
      }
      return out;
    }
  }
}

/** JSON with `": "` and `", "` separators, the way models usually write it. */
export function spacedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(spacedJson).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    const parts = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${spacedJson(x)}`);
    return `{${parts.join(', ')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** What a grammar-constrained model writes for this schema. */
export function schemaSample(schema: unknown): string {
  return spacedJson(sampleFromSchema(schema));
}
