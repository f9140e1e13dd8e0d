// /v2.0/routers, add_router_interface, remove_router_interface: thin handlers — parse, service verb, envelope.
import { readBody } from '../../http/body';
import { routerView } from '../../http/openapi/neutron-views';
import { neutronResourceRoutes } from '../../http/neutron-resource';
import { listRouters, showRouter } from '../../services/routers/read';
import { createRouter, deleteRouter, updateRouter } from '../../services/routers/write';
import { addRouterInterface, removeRouterInterface } from '../../services/routers/interfaces';
import { createRouterBody, interfaceBody, updateRouterBody } from '../../services/routers/schemas';

export function routerRoutes() {
  const r = neutronResourceRoutes({
    singular: 'router', plural: 'routers', view: routerView, createBody: createRouterBody, updateBody: updateRouterBody,
    list: listRouters, show: showRouter, create: createRouter, update: updateRouter, remove: deleteRouter,
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
