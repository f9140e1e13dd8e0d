// The few router/subnet reads the VPN resources need, tenant-scoped, straight from the tables (the routers and
// subnets services are separate modules; these stay small so the VPN checks do not depend on their internals).
import { and, eq } from 'drizzle-orm';
import { badRequest } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { routerInterfaces, routers, subnets } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';

export type RouterRow = typeof routers.$inferSelect;

export const visibleRouter = (auth: Auth, row: RouterRow | undefined, id: string): RouterRow => visibleOr404(auth, row, 'Router', id, 'RouterNotFound');
export const visibleSubnet = (auth: Auth, row: typeof subnets.$inferSelect | undefined, id: string) => visibleOr404(auth, row, 'Subnet', id, 'SubnetNotFound');


/** A VPN needs a router with an external gateway (its public side). */
export function assertRouterHasGateway(router: RouterRow): void {
  if (!router.gatewayNetworkId) {
    throw badRequest(`Router ${router.id} has no external network gateway set; set one before adding a VPN.`, 'RouterIsNotExternal');
  }
}

/** The interface joining a subnet to a router ([] when there is none), as a query for a trip (functions/db/batch.ts). */
export const interfaceStep = (db: Db, routerId: string, subnetId: string) => db.select({ portId: routerInterfaces.portId }).from(routerInterfaces)
  .where(and(eq(routerInterfaces.routerId, routerId), eq(routerInterfaces.subnetId, subnetId))).limit(1);


export const subnetNotConnected = (subnetId: string, routerId: string) =>
  badRequest(`Subnet ${subnetId} is not connected to Router ${routerId}; add it as a router interface first.`, 'SubnetIsNotConnectedToRouter');
