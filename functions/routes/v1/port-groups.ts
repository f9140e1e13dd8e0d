// /v1/port-groups (admin only): CRUD of port groups and PUT|DELETE of members /{id}/ports/{portId}.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { readBody } from '../../http/body';
import { listPortGroups, showPortGroup } from '../../services/port-groups/read';
import { addPortGroupMember, createPortGroup, deletePortGroup, removePortGroupMember, renamePortGroup } from '../../services/port-groups/write';
import { createPortGroupBody, patchPortGroupBody } from '../../services/port-groups/schemas';

export function portGroupRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => c.json({ portGroups: await listPortGroups(c.var.deps.database.db) }));
  r.post('/', async (c) => {
    const body = await readBody(c, createPortGroupBody);
    return c.json({ portGroup: await createPortGroup(c.var.deps, body) }, 201);
  });
  r.get('/:id', async (c) => c.json({ portGroup: await showPortGroup(c.var.deps.database.db, c.req.param('id')) }));
  r.patch('/:id', async (c) => {
    const body = await readBody(c, patchPortGroupBody);
    return c.json({ portGroup: await renamePortGroup(c.var.deps, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deletePortGroup(c.var.deps, c.req.param('id'));
    return c.body(null, 204);
  });
  r.put('/:id/ports/:portId', async (c) =>
    c.json({ portGroup: await addPortGroupMember(c.var.deps, c.req.param('id'), c.req.param('portId')) }));
  r.delete('/:id/ports/:portId', async (c) => {
    await removePortGroupMember(c.var.deps, c.req.param('id'), c.req.param('portId'));
    return c.body(null, 204);
  });
  return r;
}
