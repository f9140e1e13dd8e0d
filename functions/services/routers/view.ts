// Router rows as Neutron shows them.
import type { routers } from '../../db/schema';
import { isoOrNull, tenantFields } from '../../http/neutron';

export type RouterRow = typeof routers.$inferSelect;

export const routerView = (r: RouterRow) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  ...tenantFields(r.tenantId),
  admin_state_up: r.adminStateUp,
  status: r.status,
  external_gateway_info: r.gatewayNetworkId
    ? { network_id: r.gatewayNetworkId, enable_snat: true, external_fixed_ips: r.gatewayFixedIps.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })) }
    : null,
  availability_zone_hints: r.availabilityZoneHints,
  availability_zones: [] as string[],
  routes: [] as unknown[],
  created_at: isoOrNull(r.createdAt),
  updated_at: isoOrNull(r.updatedAt),
});
