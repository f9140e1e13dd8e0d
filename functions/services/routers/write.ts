// Creating, updating and deleting routers (one write transaction each); gateway changes re-sync the VPN translation.
import { eq, inArray } from 'drizzle-orm';
import { badRequest, conflict } from '../../../shared/errors';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { hostGroups, routerInterfaces, routers, vpnServices } from '../../db/schema';
import { owningTenant } from '../../http/auth';
import type { Auth } from '../../http/env';
import { syncRouter, syncRouterWith } from '../../translator/sync';
import { routerView } from './view';
import { noGateway, readGateway, resolveGateway } from './gateway';
import { getRouterRow, showRouter, visibleRouter } from './read';
import type { CreateRouter, UpdateRouter } from './schemas';

/** The host groups the hints name, as a query for a trip (functions/db/batch.ts). */
const zoneGroups = (tx: Db, hints: string[]) => tx.select({ name: hostGroups.name }).from(hostGroups).where(inArray(hostGroups.name, hints));

/** Each hint must name a host group (a router's AZ hints are the affinity of its VPN container). */
function checkZoneHints(hints: string[], groups: { name: string }[]) {
  const found = new Set(groups.map((g) => g.name));
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
    // One round trip for the reads (zones, the gateway's network, subnets and addresses in use) …
    const { gateway: judge, first: [groups] } = await readGateway(tx, auth, body.external_gateway_info ?? null, id, [zoneGroups(tx, hints)]);
    checkZoneHints(hints, groups);
    const gateway = body.external_gateway_info === undefined ? noGateway : judge(noGateway);
    const insert = tx.insert(routers).values({
      id, tenantId, name: body.name ?? '', description: body.description ?? '', adminStateUp: body.admin_state_up ?? true,
      gatewayNetworkId: gateway.networkId, gatewayFixedIps: gateway.fixedIps, availabilityZoneHints: hints, createdAt: now, updatedAt: now,
    }).returning();
    // … one for the INSERT (and, with a gateway, the router's snapshot), one for its southbound writes (then COMMIT).
    // The translation does not write the router row: the row inserted is the answer.
    const [row] = gateway.networkId ? (await syncRouterWith(tx, deps, id, { before: [insert], after: [] })).before[0] : await insert;
    return routerView(visibleRouter(auth, row, id));
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
