// One factory for a Neutron resource's five routes (list, create, show, update, delete): envelopes, status codes,
// filters and `fields=` projection are the same for every resource, so they live here once.
import { Hono } from 'hono';
import type { z } from 'zod';
import type { Db } from '../db/client';
import type { Deps } from '../deps';
import { readNeutron } from './body';
import type { AppEnv, Auth } from './env';
import { neutronList, project } from './neutron';

export interface NeutronResource<C extends z.ZodType, U extends z.ZodType, V extends Record<string, unknown>> {
  /** Envelope keys, e.g. 'ikepolicy' / 'ikepolicies'. */
  singular: string;
  plural: string;
  createBody: C;
  updateBody: U;
  list(db: Db, auth: Auth): Promise<V[]>;
  show(db: Db, auth: Auth, id: string): Promise<V>;
  create(deps: Deps, auth: Auth, body: z.infer<C>): Promise<V>;
  update(deps: Deps, auth: Auth, id: string, body: z.infer<U>): Promise<V>;
  remove(deps: Deps, auth: Auth, id: string): Promise<void>;
}

const fieldsOf = (queries: string[] | undefined) => queries?.flatMap((f) => f.split(',')).filter(Boolean) ?? [];

export function neutronResourceRoutes<C extends z.ZodType, U extends z.ZodType, V extends Record<string, unknown>>(res: NeutronResource<C, U, V>) {
  const r = new Hono<AppEnv>();
  const { singular, plural } = res;
  r.get('/', async (c) => c.json({ [plural]: neutronList(c, await res.list(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, singular, res.createBody);
    return c.json({ [singular]: await res.create(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => {
    const view = await res.show(c.var.deps.database.db, c.var.auth, c.req.param('id'));
    return c.json({ [singular]: project(view, fieldsOf(c.req.queries('fields'))) });
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
