// /v1/container-groups (admin only): list, show, and PATCH of policy/affinity. Groups are created by the translator.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { readBody } from '../../http/body';
import { listContainerGroups, showContainerGroup } from '../../services/container-groups/read';
import { updateContainerGroup } from '../../services/container-groups/write';
import { patchContainerGroupBody } from '../../services/container-groups/schemas';

export function containerGroupRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => c.json({ containerGroups: await listContainerGroups(c.var.deps.database.db) }));
  r.get('/:id', async (c) => c.json({ containerGroup: await showContainerGroup(c.var.deps.database.db, c.req.param('id')) }));
  r.patch('/:id', async (c) => {
    const body = await readBody(c, patchContainerGroupBody);
    return c.json({ containerGroup: await updateContainerGroup(c.var.deps, c.req.param('id'), body) });
  });
  return r;
}
