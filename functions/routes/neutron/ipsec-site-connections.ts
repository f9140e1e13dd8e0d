// /v2.0/vpn/ipsec-site-connections: thin handlers — parse, call the service verb, wrap in Neutron's envelope.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { readNeutron } from '../../http/body';
import { neutronList, project } from '../../http/neutron';
import { listSiteConnections, showSiteConnection } from '../../services/site-connections/read';
import { createSiteConnection, deleteSiteConnection, updateSiteConnection } from '../../services/site-connections/write';
import { createSiteConnectionBody, updateSiteConnectionBody } from '../../services/site-connections/schemas';

export function siteConnectionRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => c.json({ ipsec_site_connections: neutronList(c, await listSiteConnections(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, 'ipsec_site_connection', createSiteConnectionBody);
    return c.json({ ipsec_site_connection: await createSiteConnection(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => {
    const view = await showSiteConnection(c.var.deps.database.db, c.var.auth, c.req.param('id'));
    return c.json({ ipsec_site_connection: project(view, c.req.queries('fields')?.flatMap((f) => f.split(',')) ?? []) });
  });
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, 'ipsec_site_connection', updateSiteConnectionBody);
    return c.json({ ipsec_site_connection: await updateSiteConnection(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteSiteConnection(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
