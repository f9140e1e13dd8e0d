// /v1/containers (admin only): list (filters ?hostId= ?status= ?schedulerState= ?groupId= ?configurationId=),
// show, the event history, explain, and operator placement (PUT/DELETE .../host: 202 with the container).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { parseWith, readBody } from '../../http/body';
import { clearContainerHost, explainContainer, migrateContainer } from '../../services/containers/host';
import { listContainerEvents, listContainers, showContainer } from '../../services/containers/read';
import { listContainersQuery, migrateBody } from '../../services/containers/schemas';

export function containerRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => {
    const q = parseWith(listContainersQuery, c.req.query(), 'query');
    return c.json({ containers: await listContainers(c.var.deps.database.db, q) });
  });
  r.get('/:id', async (c) => c.json({ container: await showContainer(c.var.deps.database.db, c.req.param('id')) }));
  r.get('/:id/events', async (c) => c.json({ events: await listContainerEvents(c.var.deps.database.db, c.req.param('id')) }));
  r.get('/:id/explain', async (c) => c.json({ explain: await explainContainer(c.var.deps, c.var.deps.database.db, c.req.param('id')) }));
  // 202: the placement is written; the container runs there once the host's agent has started it.
  r.put('/:id/host', async (c) => {
    const body = await readBody(c, migrateBody);
    return c.json({ container: await migrateContainer(c.var.deps, c.req.param('id'), body.hostId) }, 202);
  });
  r.delete('/:id/host', async (c) => c.json({ container: await clearContainerHost(c.var.deps, c.req.param('id')) }, 202));
  return r;
}
