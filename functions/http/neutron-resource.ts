// One factory for a Neutron resource's five routes (list, create, show, update, delete): envelopes, status codes,
// filters, sorting, paging and `fields=` projection are the same for every resource, so they live here once.
import { Hono } from 'hono';
import type { z } from 'zod';
import type { Db } from '../db/client';
import type { Deps } from '../deps';
import { readNeutron } from './body';
import type { AppContext, AppEnv, Auth } from './env';
import { propertyKinds } from '../../shared/json-schema';
import { applyList, fieldsOf, parseListQuery, project } from './neutron-list';

export interface NeutronResource<C extends z.ZodType, U extends z.ZodType, V extends { id: string } & Record<string, unknown>> {
  /** Envelope keys, e.g. 'ikepolicy' / 'ikepolicies'. */
  singular: string;
  plural: string;
  createBody: C;
  updateBody: U;
  /** The object as shown (functions/http/openapi/neutron-views.ts): its attributes are what lists filter and sort by. */
  view: z.ZodType;
  list(db: Db, auth: Auth): Promise<V[]>;
  show(db: Db, auth: Auth, id: string): Promise<V>;
  create(deps: Deps, auth: Auth, body: z.infer<C>): Promise<V>;
  update(deps: Deps, auth: Auth, id: string, body: z.infer<U>): Promise<V>;
  remove(deps: Deps, auth: Auth, id: string): Promise<void>;
}

/** The request URL with some query parameters replaced ('' removes one): Neutron's pagination links. */
function hrefWith(c: AppContext, set: Record<string, string>): string {
  const url = new URL(c.req.url);
  for (const [k, v] of Object.entries(set)) {
    if (v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return url.toString();
}

/** List and show only (resources berth makes itself, such as router interface ports). */
export function neutronReadRoutes<V extends { id: string } & Record<string, unknown>>(
  res: Pick<NeutronResource<z.ZodType, z.ZodType, V>, 'singular' | 'plural' | 'view' | 'list' | 'show'>,
) {
  const r = new Hono<AppEnv>();
  const { singular, plural } = res;
  const kinds = propertyKinds(res.view);
  r.get('/', async (c) => {
    const query = parseListQuery(c.req.queries(), kinds);
    const { items, links } = applyList(await res.list(c.var.deps.database.db, c.var.auth), query, (set) => hrefWith(c, set));
    return c.json({ [plural]: items, ...(links.length > 0 ? { [`${plural}_links`]: links } : {}) });
  });
  r.get('/:id', async (c) => {
    const view = await res.show(c.var.deps.database.db, c.var.auth, c.req.param('id'));
    return c.json({ [singular]: project(view, fieldsOf(c.req.queries('fields'))) });
  });
  return r;
}

export function neutronResourceRoutes<C extends z.ZodType, U extends z.ZodType, V extends { id: string } & Record<string, unknown>>(res: NeutronResource<C, U, V>) {
  const r = neutronReadRoutes(res);
  const { singular } = res;
  r.post('/', async (c) => {
    const body = await readNeutron(c, singular, res.createBody);
    return c.json({ [singular]: await res.create(c.var.deps, c.var.auth, body) }, 201);
  });
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, singular, res.updateBody);
    return c.json({ [singular]: await res.update(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await res.remove(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
