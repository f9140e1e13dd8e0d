// Creating, updating and deleting VPN services (one write transaction each, translation in the same transaction).
import { eq } from 'drizzle-orm';
import { conflict } from '../../../shared/errors';
import type { Deps } from '../../deps';
import { ipsecSiteConnections, routers, subnets, vpnServices } from '../../db/schema';
import type { Auth } from '../../http/env';
import { externalIpsOf } from '../../translator/external-ip';
import { syncRouter, syncRouterWith } from '../../translator/sync';
import { inOneTrip } from '../../db/batch';
import { byId } from '../../db/prepared';
import { ownerUnder } from '../ikepolicies/fields';
import { getVpnServiceRow, visibleVpnService } from './read';
import type { CreateVpnServiceBody, UpdateVpnServiceBody } from './schemas';
import { assertRouterHasGateway, interfaceStep, subnetNotConnected, visibleRouter, visibleSubnet } from './topology';
import { vpnServiceView } from './view';

export async function createVpnService(deps: Deps, auth: Auth, body: CreateVpnServiceBody) {
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  return deps.database.write(async (tx) => {
    // One round trip for the reads (router, subnet, the interface between them) …
    const subnetId = body.subnet_id ?? null;
    const [[routerRow], [subnetRow], [iface]] = await inOneTrip(tx, [
      byId(tx, routers, body.router_id), byId(tx, subnets, subnetId ?? ''), interfaceStep(tx, body.router_id, subnetId ?? ''),
    ]);
    const router = visibleRouter(auth, routerRow, body.router_id);
    assertRouterHasGateway(router);
    if (subnetId !== null) {
      visibleSubnet(auth, subnetRow, subnetId);
      if (!iface) throw subnetNotConnected(subnetId, router.id);
    }
    const ips = externalIpsOf(router.gatewayFixedIps);
    const insert = tx.insert(vpnServices).values({
      id, tenantId: ownerUnder(auth, body, router.tenantId), name: body.name ?? '', description: body.description ?? '',
      routerId: router.id, subnetId, adminStateUp: body.admin_state_up ?? true,
      // PENDING_CREATE until the container reports: berth never claims ACTIVE it has not seen.
      status: 'PENDING_CREATE', externalV4Ip: ips.v4, externalV6Ip: ips.v6,
      createdAt: now, updatedAt: now,
    });
    // … one for the INSERT and the router's snapshot, one for its southbound writes and the answer (then COMMIT).
    const { after: [[row]] } = await syncRouterWith(tx, deps, router.id, { before: [insert], after: [byId(tx, vpnServices, id)] });
    return vpnServiceView(visibleVpnService(auth, row, id));
  });
}

export async function updateVpnService(deps: Deps, auth: Auth, id: string, body: UpdateVpnServiceBody) {
  return deps.database.write(async (tx) => {
    const row = await getVpnServiceRow(tx, auth, id);
    await tx.update(vpnServices).set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.admin_state_up !== undefined && { adminStateUp: body.admin_state_up }),
      updatedAt: deps.clock.now(),
    }).where(eq(vpnServices.id, id));
    await syncRouter(tx, deps, row.routerId);
    return vpnServiceView(await getVpnServiceRow(tx, auth, id));
  });
}

export async function deleteVpnService(deps: Deps, auth: Auth, id: string) {
  await deps.database.write(async (tx) => {
    const row = await getVpnServiceRow(tx, auth, id);
    const [used] = await tx.select({ id: ipsecSiteConnections.id }).from(ipsecSiteConnections).where(eq(ipsecSiteConnections.vpnServiceId, id)).limit(1);
    if (used) throw conflict(`VPNService ${id} is still in use by IPsec site connection ${used.id}; delete its connections first.`, 'VPNServiceInUse');
    await tx.delete(vpnServices).where(eq(vpnServices.id, id));
    await syncRouter(tx, deps, row.routerId);
  });
}
