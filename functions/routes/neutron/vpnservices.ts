// /v2.0/vpn/vpnservices: thin handlers — parse, call the service verb, wrap in Neutron's envelope.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { readNeutron } from '../../http/body';
import { neutronList, project } from '../../http/neutron';
import { listVpnServices, showVpnService } from '../../services/vpnservices/read';
import { createVpnService, deleteVpnService, updateVpnService } from '../../services/vpnservices/write';
import { createVpnServiceBody, updateVpnServiceBody } from '../../services/vpnservices/schemas';

export function vpnServiceRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => c.json({ vpnservices: neutronList(c, await listVpnServices(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, 'vpnservice', createVpnServiceBody);
    return c.json({ vpnservice: await createVpnService(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => {
    const view = await showVpnService(c.var.deps.database.db, c.var.auth, c.req.param('id'));
    return c.json({ vpnservice: project(view, c.req.queries('fields')?.flatMap((f) => f.split(',')) ?? []) });
  });
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, 'vpnservice', updateVpnServiceBody);
    return c.json({ vpnservice: await updateVpnService(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteVpnService(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
