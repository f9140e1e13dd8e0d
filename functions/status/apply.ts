// Writes the derived Neutron statuses of the VPN services and connections of some routers (inside the caller's
// write transaction). Called wherever a container's status, placement or tunnels change: ingest and placement.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { inOneTrip, type Step, type TripResults } from '../db/batch';
import type { Db } from '../db/client';
import { containers, ipsecSiteConnections, vpnServices } from '../db/schema';
import type { ContainerStatus } from '../../shared/protocol/messages';
import { connectionStatus, vpnServiceStatus } from './neutron';

/** `col IN (the list)` with the list as ONE JSON parameter: thousands of routers stay one short statement. */
const inList = (col: Parameters<typeof eq>[0], ids: readonly string[]) => sql`${col} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

export async function refreshNeutronStatus(tx: Db, routerIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(routerIds)];
  if (ids.length === 0) return;
  await inOneTrip(tx, refreshWrites(tx, await inOneTrip(tx, refreshReads(tx, ids))));
}

/**
 * What the refresh reads, as steps of a trip (functions/db/batch.ts), keyed on the router ids alone so they can
 * share a round trip with the writes before them (functions/controller/apply.ts); refreshWrites takes the results.
 */
export function refreshReads(tx: Db, routerIds: readonly string[]) {
  const serviceIds = tx.select({ id: vpnServices.id }).from(vpnServices).where(inList(vpnServices.routerId, routerIds));
  return [
    tx.select({ id: vpnServices.id, routerId: vpnServices.routerId, adminStateUp: vpnServices.adminStateUp, status: vpnServices.status,
      sendError: vpnServices.sendError })
      .from(vpnServices).where(inList(vpnServices.routerId, routerIds)),
    // Routers without a VPN service (most, when a big placement pass runs) have nothing to refresh.
    tx.select({ routerId: containers.configurationId, status: containers.status }).from(containers)
      .where(and(eq(containers.serviceType, 'IPSEC'), inList(containers.configurationId, routerIds), sql`${containers.configurationId} IN (SELECT ${vpnServices.routerId} FROM ${vpnServices})`)),
    tx.select({
      id: ipsecSiteConnections.id, vpnServiceId: ipsecSiteConnections.vpnServiceId, adminStateUp: ipsecSiteConnections.adminStateUp,
      tunnel: ipsecSiteConnections.tunnel, status: ipsecSiteConnections.status, sendError: ipsecSiteConnections.sendError,
    }).from(ipsecSiteConnections).where(inArray(ipsecSiteConnections.vpnServiceId, serviceIds)),
  ] as const;
}

/** The status writes (none, one or two statements) for what refreshReads read. */
export function refreshWrites(tx: Db, [services, boxes, conns]: TripResults<ReturnType<typeof refreshReads>>): Step[] {
  if (services.length === 0) return [];
  const containerOf = new Map(boxes.map((b) => [b.routerId, { status: b.status as ContainerStatus | null }]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const serviceChanges: [string, string][] = [];
  for (const s of services) {
    const next = vpnServiceStatus({ adminStateUp: s.adminStateUp, container: containerOf.get(s.routerId) ?? null, current: s.status, sendError: s.sendError });
    if (next !== s.status) serviceChanges.push([s.id, next]);
  }
  const connChanges: [string, string][] = [];
  for (const c of conns) {
    const service = serviceById.get(c.vpnServiceId)!;
    const next = connectionStatus({
      adminStateUp: c.adminStateUp, serviceAdminStateUp: service.adminStateUp,
      container: containerOf.get(service.routerId) ?? null, tunnel: c.tunnel ?? null, current: c.status,
      sendError: c.sendError,
    });
    if (next !== c.status) connChanges.push([c.id, next]);
  }
  // One statement per table however many changed ([id, status] pairs as one JSON parameter).
  const writes: Step[] = [];
  if (serviceChanges.length > 0) {
    writes.push(tx.run(sql`UPDATE ${vpnServices} SET status = json_extract(j.value, '$[1]')
      FROM json_each(${JSON.stringify(serviceChanges)}) AS j WHERE ${vpnServices.id} = json_extract(j.value, '$[0]')`));
  }
  if (connChanges.length > 0) {
    writes.push(tx.run(sql`UPDATE ${ipsecSiteConnections} SET status = json_extract(j.value, '$[1]')
      FROM json_each(${JSON.stringify(connChanges)}) AS j WHERE ${ipsecSiteConnections.id} = json_extract(j.value, '$[0]')`));
  }
  return writes;
}
