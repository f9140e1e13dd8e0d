// Creating, updating and deleting VPN services (one write transaction each, translation in the same transaction).
import { eq } from 'drizzle-orm';
import { conflict } from '../../../shared/errors';
import type { Deps } from '../../deps';
import { ipsecSiteConnections, vpnServices } from '../../db/schema';
import type { Auth } from '../../http/env';
import { externalIpsOf } from '../../translator/external-ip';
import { syncRouter } from '../../translator/sync';
import { ownerUnder } from '../ikepolicies/fields';
import { getVpnServiceRow } from './read';
import type { CreateVpnServiceBody, UpdateVpnServiceBody } from './schemas';
import { assertRouterHasGateway, getVisibleRouter, getVisibleSubnet, isSubnetOnRouter, subnetNotConnected } from './topology';
import { vpnServiceView } from './view';

export async function createVpnService(deps: Deps, auth: Auth, body: CreateVpnServiceBody) {
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  return deps.database.write(async (tx) => {
    const router = await getVisibleRouter(tx, auth, body.router_id);
    assertRouterHasGateway(router);
    const subnetId = body.subnet_id ?? null;
    if (subnetId !== null) {
      await getVisibleSubnet(tx, auth, subnetId);
      if (!(await isSubnetOnRouter(tx, router.id, subnetId))) throw subnetNotConnected(subnetId, router.id);
    }
    const ips = externalIpsOf(router.gatewayFixedIps);
    await tx.insert(vpnServices).values({
      id, tenantId: ownerUnder(auth, body, router.tenantId), name: body.name ?? '', description: body.description ?? '',
      routerId: router.id, subnetId, adminStateUp: body.admin_state_up ?? true,
      // PENDING_CREATE until the container reports: berth never claims ACTIVE it has not seen.
      status: 'PENDING_CREATE', externalV4Ip: ips.v4, externalV6Ip: ips.v6,
      createdAt: now, updatedAt: now,
    });
    await syncRouter(tx, deps, router.id);
    return vpnServiceView(await getVpnServiceRow(tx, auth, id));
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
