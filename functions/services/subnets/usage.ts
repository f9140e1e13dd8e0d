// Why a subnet cannot go away: a router interface, a router gateway, a VPN service or a subnet endpoint group.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { TripResults } from '../../db/batch';
import { endpointGroups, routerInterfaces, routers, subnets, vpnServices } from '../../db/schema';
import type { SubnetRow } from './view';

/**
 * What subnetInUseReason judges, keyed on the subnet's id (its network is a subquery): ONE round trip with the
 * subnet's own read (functions/db/batch.ts).
 */
export function subnetUseSteps(db: Db, subnetId: string) {
  return [
    db.select({ routerId: routerInterfaces.routerId }).from(routerInterfaces).where(eq(routerInterfaces.subnetId, subnetId)).limit(1),
    db.select({ id: routers.id, fixedIps: routers.gatewayFixedIps }).from(routers)
      .where(sql`${routers.gatewayNetworkId} = (SELECT ${subnets.networkId} FROM ${subnets} WHERE ${subnets.id} = ${subnetId})`),
    db.select({ id: vpnServices.id }).from(vpnServices).where(eq(vpnServices.subnetId, subnetId)).limit(1),
    db.select({ id: endpointGroups.id, endpoints: endpointGroups.endpoints }).from(endpointGroups).where(eq(endpointGroups.type, 'subnet')),
  ] as const;
}

/** The first reason the subnet is in use (a sentence for the 409), or undefined when it is free. */
export function subnetInUseReason(subnetId: string, [[iface], gatewayRouters, [vpn], groups]: TripResults<ReturnType<typeof subnetUseSteps>>): string | undefined {
  if (iface) return `it is attached to router ${iface.routerId}`;
  const gatewayRouter = gatewayRouters.find((r) => r.fixedIps.some((f) => f.subnet_id === subnetId));
  if (gatewayRouter) return `router ${gatewayRouter.id} has its gateway on it`;
  if (vpn) return `VPN service ${vpn.id} uses it`;
  const group = groups.find((g) => g.endpoints.includes(subnetId));
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
