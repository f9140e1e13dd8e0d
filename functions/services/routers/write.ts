// Creating, updating and deleting routers (one write transaction each); gateway changes re-sync the VPN translation.
import { eq, inArray } from 'drizzle-orm';
import { badRequest, conflict } from '../../../shared/errors';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { hostGroups, routerInterfaces, routers, vpnServices } from '../../db/schema';
import { owningTenant } from '../../http/auth';
import type { Auth } from '../../http/env';
import { syncRouter } from '../../translator/sync';
import { noGateway, resolveGateway } from './gateway';
import { getRouterRow, showRouter } from './read';
import type { CreateRouter, UpdateRouter } from './schemas';

/** Each hint must name a host group (a router's AZ hints are the affinity of its VPN container). */
async function checkZoneHints(tx: Db, hints: string[]) {
  if (hints.length === 0) return;
  const found = new Set((await tx.select({ name: hostGroups.name }).from(hostGroups).where(inArray(hostGroups.name, hints))).map((g) => g.name));
  const missing = hints.filter((h) => !found.has(h));
  if (missing.length) throw badRequest(`AvailabilityZone ${missing.join(', ')} could not be found.`, 'AvailabilityZoneNotFound');
}

async function vpnServiceIds(tx: Db, routerId: string) {
  return (await tx.select({ id: vpnServices.id }).from(vpnServices).where(eq(vpnServices.routerId, routerId))).map((v) => v.id);
}

export async function createRouter(deps: Deps, auth: Auth, body: CreateRouter) {
  const tenantId = owningTenant(auth, body);
  const hints = [...new Set(body.availability_zone_hints ?? [])];
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  return deps.database.write(async (tx) => {
    await checkZoneHints(tx, hints);
    const gateway = body.external_gateway_info === undefined ? noGateway : await resolveGateway(tx, auth, body.external_gateway_info, id, noGateway);
    await tx.insert(routers).values({
      id, tenantId, name: body.name ?? '', description: body.description ?? '', adminStateUp: body.admin_state_up ?? true,
      gatewayNetworkId: gateway.networkId, gatewayFixedIps: gateway.fixedIps, availabilityZoneHints: hints, createdAt: now, updatedAt: now,
    });
    if (gateway.networkId) await syncRouter(tx, deps, id);
    return showRouter(tx, auth, id);
  });
}

export async function updateRouter(deps: Deps, auth: Auth, id: string, body: UpdateRouter) {
  if (body.availability_zone_hints !== undefined) throw badRequest('Invalid input: availability_zone_hints can only be set when the router is created', 'InvalidInput');
  return deps.database.write(async (tx) => {
    const row = await getRouterRow(tx, auth, id);
    const current = { networkId: row.gatewayNetworkId, fixedIps: row.gatewayFixedIps };
    const gateway = body.external_gateway_info === undefined ? undefined : await resolveGateway(tx, auth, body.external_gateway_info, id, current);
    if (gateway && !gateway.networkId && current.networkId) {
      const vpns = await vpnServiceIds(tx, id);
      if (vpns.length) throw conflict(`Router ${id} is used by VPN service(s) ${vpns.join(', ')}; its gateway cannot be cleared.`, 'RouterInUseByVPNService');
    }
    await tx.update(routers).set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.admin_state_up !== undefined && { adminStateUp: body.admin_state_up }),
      ...(gateway && { gatewayNetworkId: gateway.networkId, gatewayFixedIps: gateway.fixedIps }),
      updatedAt: deps.clock.now(),
    }).where(eq(routers.id, id));
    // The VPN services' external IPs and REDIRECT rules follow the gateway address.
    if (gateway) await syncRouter(tx, deps, id);
    return showRouter(tx, auth, id);
  });
}

export async function deleteRouter(deps: Deps, auth: Auth, id: string) {
  await deps.database.write(async (tx) => {
    await getRouterRow(tx, auth, id);
    const [iface] = await tx.select({ subnetId: routerInterfaces.subnetId }).from(routerInterfaces).where(eq(routerInterfaces.routerId, id)).limit(1);
    if (iface) throw conflict(`Router ${id} still has ports (an interface on subnet ${iface.subnetId}); remove its interfaces first.`, 'RouterInUse');
    const vpns = await vpnServiceIds(tx, id);
    if (vpns.length) throw conflict(`Router ${id} is still used by VPN service(s) ${vpns.join(', ')}.`, 'RouterInUse');
    await tx.delete(routers).where(eq(routers.id, id));
  });
}
