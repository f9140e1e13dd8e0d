// zod → JSON Schema (draft 2020-12, which OpenAPI 3.1 and AsyncAPI 3 use), in one place for every document berth
// serves. A request is documented as what it accepts (optional fields with defaults stay optional), a response as
// what it holds. A zod pipe (a lower-cased enum, a converter) is documented as what it validates to: its input
// side is only the looser carrier (a string to lower-case, anything a Neutron converter takes — the converter's
// description says what).
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

type Io = 'input' | 'output';

function convert(schema: z.ZodType, io: Io): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12', io, unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string; out?: z.ZodType } } })._zod.def;
      if (io === 'input' && def.type === 'pipe' && def.out) {
        const description = ctx.jsonSchema.description;
        for (const k of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[k];
        const out = convert(def.out, io);
        delete out.$schema;
        Object.assign(ctx.jsonSchema, out, description ? { description } : {});
      }
    },
  }) as JsonSchema;
}

/** A schema of something berth accepts (request bodies, query parameters). */
export function requestJsonSchema(schema: z.ZodType): JsonSchema {
  const out = convert(schema, 'input');
  delete out.$schema;
  return out;
}

/** A schema of something berth sends (response bodies, published messages). */
export function responseJsonSchema(schema: z.ZodType): JsonSchema {
  const out = convert(schema, 'output');
  delete out.$schema;
  return out;
}

export type PropertyKind = 'string' | 'number' | 'boolean' | 'list' | 'object';

/** The kind of each top-level property of an object schema (nullable ignored): what list filters may compare. */
export function propertyKinds(schema: z.ZodType): Record<string, PropertyKind> {
  const props = (responseJsonSchema(schema).properties ?? {}) as Record<string, JsonSchema>;
  const kindOf = (s: JsonSchema): PropertyKind => {
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
