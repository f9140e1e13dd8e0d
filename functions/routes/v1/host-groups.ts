// /v1/host-groups (admin only): CRUD of host groups and PUT|DELETE of members /{id}/hosts/{hostId}.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { readBody } from '../../http/body';
import { listHostGroups, showHostGroup } from '../../services/host-groups/read';
import { addHostGroupMember, createHostGroup, deleteHostGroup, removeHostGroupMember, renameHostGroup } from '../../services/host-groups/write';
import { createHostGroupBody, patchHostGroupBody } from '../../services/host-groups/schemas';

export function hostGroupRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => c.json({ hostGroups: await listHostGroups(c.var.deps.database.db) }));
  r.post('/', async (c) => {
    const body = await readBody(c, createHostGroupBody);
    return c.json({ hostGroup: await createHostGroup(c.var.deps, body) }, 201);
  });
  r.get('/:id', async (c) => c.json({ hostGroup: await showHostGroup(c.var.deps.database.db, c.req.param('id')) }));
  r.patch('/:id', async (c) => {
    const body = await readBody(c, patchHostGroupBody);
    return c.json({ hostGroup: await renameHostGroup(c.var.deps, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteHostGroup(c.var.deps, c.req.param('id'));
    return c.body(null, 204);
  });
  r.put('/:id/hosts/:hostId', async (c) =>
    c.json({ hostGroup: await addHostGroupMember(c.var.deps, c.req.param('id'), c.req.param('hostId')) }));
  r.delete('/:id/hosts/:hostId', async (c) => {
    await removeHostGroupMember(c.var.deps, c.req.param('id'), c.req.param('hostId'));
    return c.body(null, 204);
  });
  return r;
}
