// Writes the derived Neutron statuses of the VPN services and connections of some routers (inside the caller's
// write transaction). Called wherever a container's status, placement or tunnels change: ingest and placement.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { containers, ipsecSiteConnections, vpnServices } from '../db/schema';
import type { ContainerStatus } from '../../shared/protocol/messages';
import { connectionStatus, vpnServiceStatus } from './neutron';

/** `col IN (the list)` with the list as ONE JSON parameter: thousands of routers stay one short statement. */
const inList = (col: Parameters<typeof eq>[0], ids: readonly string[]) => sql`${col} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

export async function refreshNeutronStatus(tx: Db, routerIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(routerIds)];
  if (ids.length === 0) return;
  const boxes = await tx.select({ routerId: containers.configurationId, status: containers.status }).from(containers)
    .where(and(eq(containers.serviceType, 'IPSEC'), inList(containers.configurationId, ids)));
  const containerOf = new Map(boxes.map((b) => [b.routerId, { status: b.status as ContainerStatus | null }]));
  const services = await tx.select({ id: vpnServices.id, routerId: vpnServices.routerId, adminStateUp: vpnServices.adminStateUp, status: vpnServices.status })
    .from(vpnServices).where(inList(vpnServices.routerId, ids));
  if (services.length === 0) return;
  const conns = await tx.select({
    id: ipsecSiteConnections.id, vpnServiceId: ipsecSiteConnections.vpnServiceId, adminStateUp: ipsecSiteConnections.adminStateUp,
    tunnel: ipsecSiteConnections.tunnel, status: ipsecSiteConnections.status,
  }).from(ipsecSiteConnections).where(inList(ipsecSiteConnections.vpnServiceId, services.map((s) => s.id)));

  const serviceById = new Map(services.map((s) => [s.id, s]));
  for (const s of services) {
    const next = vpnServiceStatus({ adminStateUp: s.adminStateUp, container: containerOf.get(s.routerId) ?? null, current: s.status });
    if (next !== s.status) await tx.update(vpnServices).set({ status: next }).where(eq(vpnServices.id, s.id));
  }
  for (const c of conns) {
    const service = serviceById.get(c.vpnServiceId)!;
    const next = connectionStatus({
      adminStateUp: c.adminStateUp, serviceAdminStateUp: service.adminStateUp,
      container: containerOf.get(service.routerId) ?? null, tunnel: c.tunnel ?? null, current: c.status,
    });
    if (next !== c.status) await tx.update(ipsecSiteConnections).set({ status: next }).where(eq(ipsecSiteConnections.id, c.id));
  }
}
