// /v1/containers (admin only): list (filters ?hostId= ?status= ?schedulerState= ?groupId= ?configurationId=),
// show, and the event history.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { parseWith } from '../../http/body';
import { listContainerEvents, listContainers, showContainer } from '../../services/containers/read';
import { listContainersQuery } from '../../services/containers/schemas';

export function containerRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => {
    const q = parseWith(listContainersQuery, c.req.query(), 'query');
    return c.json({ containers: await listContainers(c.var.deps.database.db, q) });
  });
  r.get('/:id', async (c) => c.json({ container: await showContainer(c.var.deps.database.db, c.req.param('id')) }));
  r.get('/:id/events', async (c) => c.json({ events: await listContainerEvents(c.var.deps.database.db, c.req.param('id')) }));
  return r;
}
