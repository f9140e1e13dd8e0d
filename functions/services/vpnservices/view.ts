// VPN service rows as Neutron shows them (status is real: it moves only when the container reports).
import type { vpnServices } from '../../db/schema';
import { tenantFields } from '../../http/neutron';

export type VpnServiceRow = typeof vpnServices.$inferSelect;

export const vpnServiceView = (v: VpnServiceRow) => ({
  id: v.id,
  name: v.name,
  description: v.description,
  ...tenantFields(v.tenantId),
  router_id: v.routerId,
  subnet_id: v.subnetId,
  flavor_id: null,
  admin_state_up: v.adminStateUp,
  status: v.status,
  status_reason: v.sendError,
  external_v4_ip: v.externalV4Ip,
  external_v6_ip: v.externalV6Ip,
});
