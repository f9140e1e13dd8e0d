// /v2.0/networks: thin handlers — parse, call the service verb, wrap in Neutron's envelope.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { readNeutron } from '../../http/body';
import { neutronList } from '../../http/neutron';
import { listNetworks, showNetwork } from '../../services/networks/read';
import { createNetwork, deleteNetwork, updateNetwork } from '../../services/networks/write';
import { createNetworkBody, updateNetworkBody } from '../../services/networks/schemas';

export function networkRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => c.json({ networks: neutronList(c, await listNetworks(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, 'network', createNetworkBody);
    return c.json({ network: await createNetwork(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => c.json({ network: await showNetwork(c.var.deps.database.db, c.var.auth, c.req.param('id')) }));
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, 'network', updateNetworkBody);
    return c.json({ network: await updateNetwork(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteNetwork(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
