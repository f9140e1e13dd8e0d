// For the routers API: what a VPN still needs from a router, so clearing its gateway, deleting it or removing an
// interface can answer 409 as Neutron does (RouterInUse, SubnetInUseByVPNService, SubnetInUseByIPsecSiteConnection).
import { and, eq, sql } from 'drizzle-orm';
import { conflict } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { vpnServices } from '../../db/schema';

/** Throws 409 RouterInUse when any VPN service sits on the router (call before deleting it or clearing its gateway). */
export async function assertRouterNotUsedByVpn(tx: Db, routerId: string): Promise<void> {
  const used = await tx.select({ id: vpnServices.id }).from(vpnServices).where(eq(vpnServices.routerId, routerId));
  if (used.length > 0) {
    const plural = used.length > 1 ? 's' : '';
    throw conflict(`Router ${routerId} is currently used by VPN service${plural} (${used.map((v) => v.id).join(',')}).`, 'RouterInUse');
  }
}

/** Throws 409 when a VPN on this router uses the subnet (call before remove_router_interface). */
export async function assertSubnetNotUsedByVpn(tx: Db, routerId: string, subnetId: string): Promise<void> {
  const [service] = await tx.select({ id: vpnServices.id }).from(vpnServices)
    .where(and(eq(vpnServices.routerId, routerId), eq(vpnServices.subnetId, subnetId))).limit(1);
  if (service) throw conflict(`Subnet ${subnetId} is used by VPNService ${service.id}.`, 'SubnetInUseByVPNService');
  const rows = await tx.all<{ id: string }>(sql`
    SELECT c.id AS id FROM ipsec_site_connections c
    JOIN vpnservices v ON v.id = c.vpnservice_id
    JOIN endpoint_groups g ON g.id = c.local_ep_group_id, json_each(g.endpoints) e
    WHERE v.router_id = ${routerId} AND g.type = 'subnet' AND e.value = ${subnetId} LIMIT 1`);
  if (rows.length > 0) throw conflict(`Subnet ${subnetId} is used by IPsec site connection ${rows[0].id}.`, 'SubnetInUseByIPsecSiteConnection');
}
