// TEST STAND-IN for sqld/Turso (never shipped, never imported from functions/): Hrana's JSON values and
// statements ↔ the embedded libSQL engine's values. Shapes follow the Hrana 3 spec ("Shared structures").

export type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };

export interface HranaStmt {
  sql?: string | null;
  sql_id?: number | null;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
  want_rows?: boolean;
}

/** An error in Hrana's shape ({message, code}); `status` is set when it fails the whole HTTP request. */
export class HranaError extends Error {
  constructor(message: string, readonly code: string, readonly status?: number) {
    super(message);
  }
  toProto(): { message: string; code: string } {
    return { message: this.message, code: this.code };
  }
}

export const protocolError = (message: string): HranaError => new HranaError(message, 'PROTOCOL_ERROR', 400);

export function fromHrana(v: unknown): unknown {
  if (!v || typeof v !== 'object') throw protocolError('a value must be an object with a "type"');
  const val = v as Record<string, unknown>;
  switch (val.type) {
    case 'null':
      return null;
    case 'integer':
      if (typeof val.value !== 'string' || !/^-?\d{1,19}$/.test(val.value)) throw protocolError('an integer value must be a decimal string');
      return BigInt(val.value);
    case 'float':
      if (typeof val.value !== 'number') throw protocolError('a float value must be a number');
      return val.value;
    case 'text':
      if (typeof val.value !== 'string') throw protocolError('a text value must be a string');
      return val.value;
    case 'blob':
      if (typeof val.base64 !== 'string') throw protocolError('a blob value must carry base64');
      return Buffer.from(val.base64, 'base64');
    default:
      throw protocolError(`unknown value type ${JSON.stringify(val.type)}`);
  }
}

export function toHrana(v: unknown): HranaValue {
  if (v === null || v === undefined) return { type: 'null' };
  if (typeof v === 'bigint') return { type: 'integer', value: v.toString() };
  // Statements run with safe integers: an INTEGER arrives as a bigint, so a number is always a REAL.
  if (typeof v === 'number') return { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'text', value: v };
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(v).toString('base64') };
  if (v instanceof ArrayBuffer) return { type: 'blob', base64: Buffer.from(v).toString('base64') };
  throw new HranaError(`cannot encode a ${typeof v} value`, 'INTERNAL');
}

/**
 * The bind parameters of a statement: positional args as an array, named args as an object whose keys lose
 * their prefix sign (the engine's binding convention; Hrana names keep `:`, `@` or `$`).
 */
export function bindingsOf(stmt: HranaStmt): unknown[] | Record<string, unknown> {
  const args = stmt.args ?? [];
  const named = stmt.named_args ?? [];
  if (!Array.isArray(args) || !Array.isArray(named)) throw protocolError('args and named_args must be arrays');
  if (named.length === 0) return args.map(fromHrana);
  if (args.length > 0) throw new HranaError('this server does not support positional and named arguments together', 'ARGS_INVALID');
  const out: Record<string, unknown> = {};
  for (const a of named) {
    if (!a || typeof a.name !== 'string') throw protocolError('a named argument needs a name');
    out[a.name.replace(/^[:@$]/, '')] = fromHrana(a.value);
  }
  return out;
}
