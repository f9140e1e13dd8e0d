// GET /v2.0/extensions[/{alias}]: the Neutron extensions berth implements, so clients that discover features
// (python-neutronclient, the openstacksdk, Horizon) find VPNaaS, endpoint groups, sorting and paging.
import { Hono } from 'hono';
import { z } from 'zod';
import { notFound } from '../../../shared/errors';
import type { AppEnv } from '../../http/env';

const UPDATED = '2013-05-29T10:00:00-00:00';

export const EXTENSIONS = [
  { alias: 'external-net', name: 'Neutron external network', description: 'Adds external network attribute to network resource.' },
  { alias: 'router', name: 'Neutron L3 Router', description: 'Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.' },
  { alias: 'router_availability_zone', name: 'Router Availability Zone', description: 'Availability zone support for router (berth: the host group of the same name).' },
  { alias: 'vpnaas', name: 'VPN service', description: 'Extension for VPN service' },
  { alias: 'vpn-endpoint-groups', name: 'VPN Endpoint Groups', description: 'VPN endpoint groups support (types cidr and subnet).' },
  { alias: 'pagination', name: 'Pagination support', description: 'Extension that indicates that pagination is enabled.' },
  { alias: 'sorting', name: 'Sorting support', description: 'Extension that indicates that sorting is enabled.' },
  { alias: 'filter-validation', name: 'Filter parameters validation', description: 'Unknown filter parameters are refused with 400.' },
].map((e) => ({ ...e, updated: UPDATED, links: [] as never[] }));

export const extensionView = z.strictObject({ alias: z.string(), name: z.string(), description: z.string(), updated: z.string(), links: z.array(z.never()) });

export function extensionRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', (c) => c.json({ extensions: EXTENSIONS }));
  r.get('/:alias', (c) => {
    const ext = EXTENSIONS.find((e) => e.alias === c.req.param('alias'));
    if (!ext) throw notFound(`Extension with alias ${c.req.param('alias')} does not exist`);
    return c.json({ extension: ext });
  });
  return r;
}
