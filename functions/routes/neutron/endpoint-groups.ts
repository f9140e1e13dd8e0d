// /v2.0/vpn/endpoint-groups: thin handlers — parse, call the service verb, wrap in Neutron's envelope.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { readNeutron } from '../../http/body';
import { neutronList, project } from '../../http/neutron';
import { listEndpointGroups, showEndpointGroup } from '../../services/endpoint-groups/read';
import { createEndpointGroup, deleteEndpointGroup, updateEndpointGroup } from '../../services/endpoint-groups/write';
import { createEndpointGroupBody, updateEndpointGroupBody } from '../../services/endpoint-groups/schemas';

export function endpointGroupRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => c.json({ endpoint_groups: neutronList(c, await listEndpointGroups(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, 'endpoint_group', createEndpointGroupBody);
    return c.json({ endpoint_group: await createEndpointGroup(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => {
    const view = await showEndpointGroup(c.var.deps.database.db, c.var.auth, c.req.param('id'));
    return c.json({ endpoint_group: project(view, c.req.queries('fields')?.flatMap((f) => f.split(',')) ?? []) });
  });
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, 'endpoint_group', updateEndpointGroupBody);
    return c.json({ endpoint_group: await updateEndpointGroup(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteEndpointGroup(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
