// The few router/subnet reads the VPN resources need, tenant-scoped, straight from the tables (the routers and
// subnets services are separate modules; these stay small so the VPN checks do not depend on their internals).
import { and, eq } from 'drizzle-orm';
import { badRequest } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { routerInterfaces, routers, subnets } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { findById } from '../../db/prepared';

export type RouterRow = typeof routers.$inferSelect;

export async function getVisibleRouter(db: Db, auth: Auth, id: string): Promise<RouterRow> {
  const row = await findById(db, routers, id);
  return visibleOr404(auth, row, 'Router', id, 'RouterNotFound');
}

export async function getVisibleSubnet(db: Db, auth: Auth, id: string) {
  const row = await findById(db, subnets, id);
  return visibleOr404(auth, row, 'Subnet', id, 'SubnetNotFound');
}

/** A VPN needs a router with an external gateway (its public side). */
export function assertRouterHasGateway(router: RouterRow): void {
  if (!router.gatewayNetworkId) {
    throw badRequest(`Router ${router.id} has no external network gateway set; set one before adding a VPN.`, 'RouterIsNotExternal');
  }
}

export async function isSubnetOnRouter(db: Db, routerId: string, subnetId: string): Promise<boolean> {
  const [row] = await db.select({ portId: routerInterfaces.portId }).from(routerInterfaces)
    .where(and(eq(routerInterfaces.routerId, routerId), eq(routerInterfaces.subnetId, subnetId))).limit(1);
  return row !== undefined;
}

export const subnetNotConnected = (subnetId: string, routerId: string) =>
  badRequest(`Subnet ${subnetId} is not connected to Router ${routerId}; add it as a router interface first.`, 'SubnetIsNotConnectedToRouter');
