// The /v1 operator route list: one module per resource.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { hostRoutes } from './hosts';
import { hostGroupRoutes } from './host-groups';
import { portGroupRoutes } from './port-groups';
import { containerGroupRoutes } from './container-groups';
import { containerRoutes } from './containers';
import { tokenRoutes } from './tokens';
import { routerSouthboundRoutes } from './routers';
import { rebalanceRoutes } from './rebalance';
import { eventRoutes } from './events';
import { topologyRoutes } from './topology';

export function operatorRoutes() {
  const r = new Hono<AppEnv>();
  r.route('/hosts', hostRoutes());
  r.route('/host-groups', hostGroupRoutes());
  r.route('/port-groups', portGroupRoutes());
  r.route('/container-groups', containerGroupRoutes());
  r.route('/containers', containerRoutes());
  r.route('/tokens', tokenRoutes());
  r.route('/routers', routerSouthboundRoutes());
  r.route('/rebalance', rebalanceRoutes());
  r.route('/events', eventRoutes());
  r.route('/topology', topologyRoutes());
  return r;
}
