// Neutron's attribute converters (neutron_lib/api/converters.py) as zod preprocessors: a /v2.0 body is converted
// as Neutron converts it before it is validated, so the clients people already use work unchanged ("1400" for an
// integer, "true" for a boolean, a single CIDR where a list is taken, None for an empty dict). The converters live
// inside the request schemas, so the OpenAPI document is generated from exactly what validates a request.
import { z } from 'zod';

type Ctx = { addIssue(issue: { code: 'custom'; message: string; input?: unknown }): void };

// oslo strutils.bool_from_string(strict=True): these words in any case, surrounding blanks ignored.
const TRUE_WORDS = new Set(['1', 't', 'true', 'on', 'y', 'yes']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'off', 'n', 'no']);

/** convert_to_boolean: bools; strings and integers naming one ("True", "1", "off", 0). Anything else is a 400. */
export function convertToBoolean(value: unknown, ctx: Ctx): unknown {
  if (typeof value === 'boolean' || value === undefined) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const word = String(value).trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  ctx.addIssue({ code: 'custom', message: `'${String(value)}' cannot be converted to boolean`, input: value });
  return value;
}

/**
 * convert_to_int: integers and integer strings ("1400", " 60 "). Python's int() would also truncate 14.7; berth
 * refuses a fractional number instead of silently changing it.
 */
export function convertToInt(value: unknown, ctx: Ctx): unknown {
  if (value === undefined || (typeof value === 'number' && Number.isInteger(value))) return value;
  if (typeof value === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(value)) return Number(value.trim());
  ctx.addIssue({ code: 'custom', message: `'${typeof value === 'object' ? JSON.stringify(value) : String(value)}' is not an integer`, input: value });
  return value;
}

/** convert_to_list: null is [], a list stays, any single value becomes a one-element list. */
export const convertToList = (value: unknown): unknown => (value === undefined ? value : value === null ? [] : Array.isArray(value) ? value : [value]);

/** convert_none_to_empty_dict: null is {} (dpd, lifetime). */
export const convertNoneToEmptyDict = (value: unknown): unknown => (value === null ? {} : value);

/** A boolean attribute with convert_to_boolean. */
export const nBool = () => z.preprocess(convertToBoolean, z.boolean()).meta({ description: "Neutron convert_to_boolean: also 'true'/'false', '1'/'0', 'yes'/'no', 'on'/'off' (any case)" });

/** An integer attribute with convert_to_int (or validated by Neutron's int()-based type:range / type:non_negative). */
export const nInt = <S extends z.ZodType<number>>(schema: S) =>
  z.preprocess(convertToInt, schema).meta({ description: 'Neutron convert_to_int: an integer or a string of one ("1400")' });

/** A list attribute with convert_to_list. */
export const nList = <S extends z.ZodType<unknown[]>>(schema: S) =>
  z.preprocess(convertToList, schema).meta({ description: 'Neutron convert_to_list: a single value is taken as a one-element list, null as []' });

/** A dict attribute with convert_none_to_empty_dict. */
export const nDict = <S extends z.ZodType>(schema: S) => z.preprocess(convertNoneToEmptyDict, schema);
