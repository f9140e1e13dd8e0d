// Site connection rows as Neutron shows them — without `psk`: berth never returns the pre-shared key.
import type { ipsecSiteConnections } from '../../db/schema';
import { tenantFields } from '../../http/neutron';

export type SiteConnectionRow = typeof ipsecSiteConnections.$inferSelect;

export const siteConnectionView = (c: SiteConnectionRow) => ({
  id: c.id,
  name: c.name,
  description: c.description,
  ...tenantFields(c.tenantId),
  vpnservice_id: c.vpnServiceId,
  ikepolicy_id: c.ikePolicyId,
  ipsecpolicy_id: c.ipsecPolicyId,
  peer_address: c.peerAddress,
  peer_id: c.peerId,
  local_id: c.localId,
  peer_cidrs: c.peerCidrs,
  local_ep_group_id: c.localEpGroupId,
  peer_ep_group_id: c.peerEpGroupId,
  mtu: c.mtu,
  initiator: c.initiator,
  dpd: { action: c.dpdAction, interval: c.dpdInterval, timeout: c.dpdTimeout },
  admin_state_up: c.adminStateUp,
  status: c.status,
  // berth's addition (docs/decisions.md, "Why a connection is ERROR (issue 10)"): null unless something stands in the way.
  status_reason: c.sendError,
  route_mode: c.routeMode,
  auth_mode: c.authMode,
});
