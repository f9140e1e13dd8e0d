// zod → JSON Schema (draft 2020-12, which OpenAPI 3.1 and AsyncAPI 3 use), in one place for every document berth
// serves. Output shapes: a request schema is documented as what it accepts after Neutron's converters (the
// converters say in their description what else they take), a zod pipe as its validated result.
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** The kind of each top-level property of an object schema (nullable ignored): what list filters may compare. */
export function propertyKinds(schema: z.ZodType): Record<string, 'string' | 'number' | 'boolean' | 'list' | 'object'> {
  const props = (toJsonSchema(schema).properties ?? {}) as Record<string, JsonSchema>;
  const kindOf = (s: JsonSchema): 'string' | 'number' | 'boolean' | 'list' | 'object' => {
    const alt = (s.anyOf as JsonSchema[] | undefined)?.find((a) => a.type !== 'null');
    if (alt) return kindOf(alt);
    switch (s.type) {
      case 'boolean': return 'boolean';
      case 'integer': case 'number': return 'number';
      case 'array': return 'list';
      case 'object': return 'object';
      default: return 'string';
    }
  };
  return Object.fromEntries(Object.entries(props).map(([k, s]) => [k, kindOf(s)]));
}
