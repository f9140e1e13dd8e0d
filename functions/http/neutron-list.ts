// Neutron's list conventions, as a pure function of the query and the (tenant-scoped, serialised) rows:
// filters by any attribute (a repeated parameter is an OR; values converted as the attribute converts them),
// `fields=` selection, sorting (`sort_key`/`sort_dir` pairs, `id` as the last tie-breaker), paging (`limit`,
// `marker`, `page_reverse`) and the `<plural>_links` next/previous links Neutron's pagination returns.
import { AppError, badRequest } from '../../shared/errors';

const RESERVED = new Set(['fields', 'limit', 'marker', 'page_reverse', 'sort_key', 'sort_dir']);

export type AttributeKind = 'string' | 'number' | 'boolean' | 'list' | 'object';

export interface ListQuery {
  filters: [string, string[]][];
  fields: string[];
  sort: { key: string; dir: 'asc' | 'desc' }[];
  /** 0 = no limit (Neutron's "0 means everything"). */
  limit: number;
  marker?: string;
  pageReverse: boolean;
}

export interface Link { rel: 'next' | 'previous'; href: string }

const boolWord = (s: string): boolean | undefined => {
  const w = s.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(w)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(w)) return false;
  return undefined;
};

export const fieldsOf = (queries: string[] | undefined) => queries?.flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean) ?? [];

/** Parses and checks a list query against the resource's attributes; bad input is a 400 naming the parameter. */
export function parseListQuery(q: Record<string, string[]>, attributes: Record<string, AttributeKind>): ListQuery {
  const filters = Object.entries(q).filter(([k]) => !RESERVED.has(k));
  for (const [k, values] of filters) {
    const kind = attributes[k];
    if (!kind) throw badRequest(`[${k}] is invalid attribute for filtering`);
    if (kind === 'object') throw badRequest(`[${k}] is a dict attribute and cannot be used for filtering`);
    if (kind === 'boolean' && values.some((v) => boolWord(v) === undefined)) throw badRequest(`'${values.find((v) => boolWord(v) === undefined)}' cannot be converted to boolean (filter ${k})`);
  }
  const keys = q.sort_key ?? [];
  const dirs = q.sort_dir ?? [];
  if (dirs.length > 0 && dirs.length !== keys.length) throw badRequest('The number of sort_keys and sort_dirs must be same');
  for (const k of keys) {
    const kind = attributes[k];
    if (!kind || kind === 'list' || kind === 'object') throw badRequest(`${k} is an invalid attribute for sort_key`);
  }
  for (const d of dirs) if (d !== 'asc' && d !== 'desc') throw badRequest(`${d} is an invalid value for sort_dir, valid values are 'asc' and 'desc'`);
  const limitText = q.limit?.at(-1);
  const limit = limitText === undefined ? 0 : /^\d{1,9}$/.test(limitText.trim()) ? Number(limitText) : NaN;
  if (Number.isNaN(limit)) throw badRequest(`Limit must be an integer 0 or greater and not '${limitText}'`);
  const reverseText = q.page_reverse?.at(-1);
  const pageReverse = reverseText === undefined ? false : boolWord(reverseText);
  if (pageReverse === undefined) throw badRequest(`'${reverseText}' cannot be converted to boolean (page_reverse)`);
  return {
    filters, fields: fieldsOf(q.fields), limit, marker: q.marker?.at(-1), pageReverse,
    sort: keys.map((key, i) => ({ key, dir: (dirs[i] ?? 'asc') as 'asc' | 'desc' })),
  };
}

function matches(value: unknown, want: string): boolean {
  if (Array.isArray(value)) return value.some((v) => matches(v, want));
  if (typeof value === 'boolean') return boolWord(want) === value;
  if (typeof value === 'number') return want.trim() !== '' && Number(want) === value;
  if (value === null || value === undefined) return false;
  return String(value) === want;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1; // SQL order: NULLs first
  if (b === null || b === undefined) return 1;
  return (a as never) < (b as never) ? -1 : 1;
}

export function project<T extends Record<string, unknown>>(item: T, fields: string[]): Partial<T> {
  if (fields.length === 0) return item;
  return Object.fromEntries(Object.entries(item).filter(([k]) => fields.includes(k))) as Partial<T>;
}

/**
 * Filters, sorts, pages and projects rows. `hrefWith(params)` makes a link to the same list with some parameters
 * replaced. A marker that names no row in the (filtered) list is a 400.
 */
export function applyList<T extends { id: string } & Record<string, unknown>>(items: T[], q: ListQuery, hrefWith: (set: Record<string, string>) => string) {
  let rows = items.filter((item) => q.filters.every(([k, values]) => values.some((want) => matches(item[k], want))));
  const paging = q.limit > 0 || q.marker !== undefined;
  if (q.sort.length > 0 || paging) {
    const keys = [...q.sort, ...(q.sort.some((s) => s.key === 'id') ? [] : [{ key: 'id', dir: 'asc' as const }])];
    rows = [...rows].sort((a, b) => {
      for (const { key, dir } of keys) {
        const c = compare(a[key], b[key]);
        if (c !== 0) return dir === 'asc' ? c : -c;
      }
      return 0;
    });
  }
  const links: Link[] = [];
  if (paging) {
    // page_reverse walks the same order backwards from the marker; the page itself is returned in forward order.
    const ordered = q.pageReverse ? [...rows].reverse() : rows;
    let start = 0;
    if (q.marker !== undefined) {
      const at = ordered.findIndex((r) => r.id === q.marker);
      if (at < 0) throw new AppError('BAD_REQUEST', `marker ${q.marker} does not name an item of this list`);
      start = at + 1;
    }
    const end = q.limit > 0 ? start + q.limit : ordered.length;
    const page = ordered.slice(start, end);
    const more = end < ordered.length;
    rows = q.pageReverse ? page.reverse() : page;
    const limit = String(q.limit);
    const next = rows.at(-1);
    const prev = rows[0];
    const forwardMore = q.pageReverse ? q.marker !== undefined : more;
    const backwardMore = q.pageReverse ? more : q.marker !== undefined;
    if (forwardMore && next) links.push({ rel: 'next', href: hrefWith({ limit, marker: next.id, page_reverse: '' }) });
    if (backwardMore && prev) links.push({ rel: 'previous', href: hrefWith({ limit, marker: prev.id, page_reverse: 'True' }) });
  }
  return { items: rows.map((r) => project(r, q.fields)), links };
}
