// /v1/hosts (admin only): list, show, patch scheduling knobs, delete a dead and empty host.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { readBody } from '../../http/body';
import { listHosts, showHost } from '../../services/hosts/read';
import { deleteHost, updateHost } from '../../services/hosts/write';
import { patchHostBody } from '../../services/hosts/schemas';

export function hostRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => c.json({ hosts: await listHosts(c.var.deps.database.db) }));
  r.get('/:id', async (c) => c.json({ host: await showHost(c.var.deps.database.db, c.req.param('id')) }));
  r.patch('/:id', async (c) => {
    const body = await readBody(c, patchHostBody);
    return c.json({ host: await updateHost(c.var.deps, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteHost(c.var.deps, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
