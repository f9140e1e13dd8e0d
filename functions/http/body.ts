// Request body parsing: size limit, JSON syntax, Neutron envelope and zod validation — each failure a clear 4xx.
import { z } from 'zod';
import { AppError, badRequest } from '../../shared/errors';
import type { AppContext } from './env';

/** Turns zod issues into one readable sentence: "name: expected string; mtu: must be >= 68". */
export function describeZodError(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
      if (i.code === 'unrecognized_keys') return `${path ? path + ': ' : ''}unknown field(s) ${i.keys.map((k) => `'${k}'`).join(', ')}`;
      return `${path || 'body'}: ${i.message}`;
    })
    .join('; ');
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(`Invalid input: ${describeZodError(r.error, prefix)}`);
  return r.data;
}

/**
 * The body's bytes, counted as they arrive: a chunked body (no Content-Length) that passes the limit is refused at
 * that point, never buffered whole first (issue 9).
 */
export async function readLimited(req: Request, limit: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new AppError('PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) { out.set(ch, at); at += ch.byteLength; }
  return out;
}

/** The body as text within config.maxBodyBytes (read once: a second read of the same request is refused by fetch). */
async function bodyText(c: AppContext): Promise<string> {
  return new TextDecoder().decode(await readLimited(c.req.raw, c.var.deps.config.maxBodyBytes));
}

/** An operator body that may be absent: no body (or only whitespace) takes the schema's defaults. */
export async function readOptionalBody<S extends z.ZodType>(c: AppContext, schema: S): Promise<z.infer<S>> {
  const text = await bodyText(c);
  return text.trim() === '' ? parseWith(schema, {}) : parseWith(schema, parseJsonText(c, text));
}

/** Reads the raw JSON body, enforcing config.maxBodyBytes even without a Content-Length header. */
export async function readJson(c: AppContext): Promise<unknown> {
  const limit = c.var.deps.config.maxBodyBytes;
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) throw new AppError('PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`);
  const text = await bodyText(c);
  if (text.trim() === '') throw badRequest('request body is empty; expected a JSON object');
  return parseJsonText(c, text);
}

function parseJsonText(c: AppContext, text: string): unknown {
  const ctype = c.req.header('content-type') ?? '';
  if (ctype && !/^application\/(json|[\w.+-]+\+json)\b/i.test(ctype)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `expected Content-Type application/json, got '${ctype}'`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // Say where, never quote the body: it may hold a secret (a PSK in a broken request).
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw badRequest(`request body is not valid JSON${at ? ` (syntax error at byte ${at})` : ''}`);
  }
}

/** Reads a Neutron request: `{ "<resource>": {...} }` validated by schema (strict: unknown fields rejected). */
export async function readNeutron<S extends z.ZodType>(c: AppContext, resource: string, schema: S): Promise<z.infer<S>> {
  const body = await readJson(c);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`request body must be a JSON object {"${resource}": {...}}`);
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== resource) {
    throw badRequest(`request body must be {"${resource}": {...}}; got key(s) ${keys.map((k) => `'${k}'`).join(', ') || 'none'}`);
  }
  return parseWith(schema, (body as Record<string, unknown>)[resource], resource);
}

/** Reads an operator (/v1) request body: a camelCase object validated by schema. */
export async function readBody<S extends z.ZodType>(c: AppContext, schema: S): Promise<z.infer<S>> {
  return parseWith(schema, await readJson(c));
}
