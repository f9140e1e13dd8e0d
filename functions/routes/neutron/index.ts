// The /v2.0 route list: one module per Neutron resource.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { networkRoutes } from './networks';
import { subnetRoutes } from './subnets';
import { routerRoutes } from './routers';
import { ikePolicyRoutes } from './ikepolicies';
import { ipsecPolicyRoutes } from './ipsecpolicies';
import { vpnServiceRoutes } from './vpnservices';
import { endpointGroupRoutes } from './endpoint-groups';
import { siteConnectionRoutes } from './ipsec-site-connections';
import { extensionRoutes } from './extensions';
import { portRoutes } from './ports';

export function neutronRoutes() {
  const r = new Hono<AppEnv>();
  r.route('/networks', networkRoutes());
  r.route('/subnets', subnetRoutes());
  r.route('/routers', routerRoutes());
  r.route('/vpn/ikepolicies', ikePolicyRoutes());
  r.route('/vpn/ipsecpolicies', ipsecPolicyRoutes());
  r.route('/vpn/vpnservices', vpnServiceRoutes());
  r.route('/vpn/endpoint-groups', endpointGroupRoutes());
  r.route('/vpn/ipsec-site-connections', siteConnectionRoutes());
  r.route('/ports', portRoutes());
  r.route('/extensions', extensionRoutes());
  return r;
}
