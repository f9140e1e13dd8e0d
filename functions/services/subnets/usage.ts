// Why a subnet cannot go away: a router interface, a router gateway, a VPN service or a subnet endpoint group.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { endpointGroups, routerInterfaces, routers, vpnServices } from '../../db/schema';
import type { SubnetRow } from './view';

/** The first reason the subnet is in use (a sentence for the 409), or undefined when it is free. */
export async function subnetInUseReason(db: Db, subnet: SubnetRow): Promise<string | undefined> {
  const [iface] = await db.select({ routerId: routerInterfaces.routerId }).from(routerInterfaces).where(eq(routerInterfaces.subnetId, subnet.id)).limit(1);
  if (iface) return `it is attached to router ${iface.routerId}`;
  const gatewayRouter = (await routersUsingGatewaySubnet(db, subnet))[0];
  if (gatewayRouter) return `router ${gatewayRouter} has its gateway on it`;
  const [vpn] = await db.select({ id: vpnServices.id }).from(vpnServices).where(eq(vpnServices.subnetId, subnet.id)).limit(1);
  if (vpn) return `VPN service ${vpn.id} uses it`;
  const groups = await db.select({ id: endpointGroups.id, endpoints: endpointGroups.endpoints }).from(endpointGroups).where(eq(endpointGroups.type, 'subnet'));
  const group = groups.find((g) => g.endpoints.includes(subnet.id));
  if (group) return `endpoint group ${group.id} lists it`;
  return undefined;
}

/** Ids of routers whose external gateway has a fixed IP on the subnet. */
export async function routersUsingGatewaySubnet(db: Db, subnet: SubnetRow): Promise<string[]> {
  const rows = await db.select({ id: routers.id, fixedIps: routers.gatewayFixedIps }).from(routers).where(eq(routers.gatewayNetworkId, subnet.networkId));
  return rows.filter((r) => r.fixedIps.some((f) => f.subnet_id === subnet.id)).map((r) => r.id);
}

/** True when a router gateway holds ip on the subnet. */
export async function gatewayHoldsIp(db: Db, subnet: SubnetRow, ip: string): Promise<boolean> {
  const rows = await db.select({ fixedIps: routers.gatewayFixedIps }).from(routers).where(eq(routers.gatewayNetworkId, subnet.networkId));
  return rows.some((r) => r.fixedIps.some((f) => f.subnet_id === subnet.id && f.ip_address === ip));
}

export async function hasRouterInterface(db: Db, subnetId: string): Promise<boolean> {
  const [row] = await db.select({ portId: routerInterfaces.portId }).from(routerInterfaces).where(eq(routerInterfaces.subnetId, subnetId)).limit(1);
  return row !== undefined;
}
