// /v2.0/routers, add_router_interface, remove_router_interface: thin handlers — parse, service verb, envelope.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { readBody, readNeutron } from '../../http/body';
import { neutronList } from '../../http/neutron';
import { listRouters, showRouter } from '../../services/routers/read';
import { createRouter, deleteRouter, updateRouter } from '../../services/routers/write';
import { addRouterInterface, removeRouterInterface } from '../../services/routers/interfaces';
import { createRouterBody, interfaceBody, updateRouterBody } from '../../services/routers/schemas';

export function routerRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => c.json({ routers: neutronList(c, await listRouters(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, 'router', createRouterBody);
    return c.json({ router: await createRouter(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => c.json({ router: await showRouter(c.var.deps.database.db, c.var.auth, c.req.param('id')) }));
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, 'router', updateRouterBody);
    return c.json({ router: await updateRouter(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteRouter(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  // Neutron's interface actions take a bare {"subnet_id": ...}, not an enveloped resource.
  r.put('/:id/add_router_interface', async (c) => {
    const body = await readBody(c, interfaceBody);
    return c.json(await addRouterInterface(c.var.deps, c.var.auth, c.req.param('id'), body));
  });
  r.put('/:id/remove_router_interface', async (c) => {
    const body = await readBody(c, interfaceBody);
    return c.json(await removeRouterInterface(c.var.deps, c.var.auth, c.req.param('id'), body));
  });
  return r;
}
