// /v2.0/subnets: thin handlers — parse, call the service verb, wrap in Neutron's envelope.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { readNeutron } from '../../http/body';
import { neutronList } from '../../http/neutron';
import { listSubnets, showSubnet } from '../../services/subnets/read';
import { createSubnet, deleteSubnet, updateSubnet } from '../../services/subnets/write';
import { createSubnetBody, updateSubnetBody } from '../../services/subnets/schemas';

export function subnetRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => c.json({ subnets: neutronList(c, await listSubnets(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, 'subnet', createSubnetBody);
    return c.json({ subnet: await createSubnet(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => c.json({ subnet: await showSubnet(c.var.deps.database.db, c.var.auth, c.req.param('id')) }));
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, 'subnet', updateSubnetBody);
    return c.json({ subnet: await updateSubnet(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteSubnet(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
