// /v1/hosts (admin only): list, show, patch scheduling knobs, delete a dead and empty host; drain (cordon + move
// everything off, at most maxParallel at a time, driven by the leader's tick) and its progress.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { parseWith, readBody, readOptionalBody } from '../../http/body';
import { listHosts, showHost } from '../../services/hosts/read';
import { deleteHost, updateHost } from '../../services/hosts/write';
import { drainBody, drainStatus, startDrain } from '../../services/hosts/drain';
import { patchHostBody } from '../../services/hosts/schemas';
import { issueHostToken } from '../../services/hosts/credentials';
import { zHostId } from '../../../shared/protocol/topics';


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
  // The host's own MQTT secret, shown once; again = rotate (schemas: services/hosts/credentials.ts hostTokenResponse).
  r.post('/:id/token', async (c) => {
    const id = parseWith(zHostId, c.req.param('id'), 'hostId');
    return c.json(await issueHostToken(c.var.deps, id), 201);
  });
  r.post('/:id/drain', async (c) => {
    const body = await readOptionalBody(c, drainBody); // no body: the defaults
    return c.json({ drain: await startDrain(c.var.deps, c.req.param('id'), body.maxParallel) }, 202);
  });
  r.get('/:id/drain', async (c) => c.json({ drain: await drainStatus(c.var.deps.database.db, c.req.param('id')) }));
  return r;
}
