// Neutron list conventions shared by every /v2.0 resource: field filters (?name=x, repeatable) and `fields=`.
import type { AppContext } from './env';

const RESERVED = new Set(['fields', 'limit', 'marker', 'page_reverse', 'sort_key', 'sort_dir']);

/** Applies Neutron query filters and field projection to already tenant-scoped, serialised rows. */
export function neutronList<T extends Record<string, unknown>>(c: AppContext, items: T[]): Partial<T>[] {
  const q = c.req.queries();
  const filters = Object.entries(q).filter(([k]) => !RESERVED.has(k));
  const matches = (item: T) =>
    filters.every(([k, values]) => {
      const v = item[k];
      if (v === undefined) return false;
      const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
      return values.some((want) => want === s);
    });
  const fields = (q.fields ?? []).flatMap((f) => f.split(',')).filter(Boolean);
  return items.filter(matches).map((item) => project(item, fields));
}

export function project<T extends Record<string, unknown>>(item: T, fields: string[]): Partial<T> {
  if (fields.length === 0) return item;
  return Object.fromEntries(Object.entries(item).filter(([k]) => fields.includes(k))) as Partial<T>;
}

/** The tenant fields Neutron returns on every object. */
export const tenantFields = (tenantId: string) => ({ tenant_id: tenantId, project_id: tenantId });

export const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
