// Reads, inside the write transaction, everything a site connection refers to: its VPN service, router, legacy
// subnet, endpoint groups and their subnets — the snapshot validate.ts judges. All of it is keyed on ids the
// request names (what depends on another row is a subquery), so it is ONE round trip (functions/db/batch.ts),
// together with whatever else the caller reads first (the create's policies).
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { bind, inOneTrip, type Step, type TripResults } from '../../db/batch';
import { byId, prepared } from '../../db/prepared';
import { endpointGroups, routerInterfaces, routers, subnets, vpnServices } from '../../db/schema';
import type { Auth } from '../../http/env';
import { visibleEndpointGroup } from '../endpoint-groups/read';
import { visibleVpnService } from '../vpnservices/read';
import type { VpnServiceRow } from '../vpnservices/view';
import type { ConnectionTopology, LocalSubnet } from './validate';

type GroupRow = typeof endpointGroups.$inferSelect;
export interface GroupIds { local: string | null; peer: string | null }

const SERVICE = sql.placeholder('serviceId');
const routerOfService = sql`(SELECT ${vpnServices.routerId} FROM ${vpnServices} WHERE ${vpnServices.id} = ${SERVICE})`;
// The service's own subnet (legacy mode) and the endpoints of the local group when it is a subnet group.
const localSubnetIds = sql`(SELECT ${vpnServices.subnetId} FROM ${vpnServices} WHERE ${vpnServices.id} = ${SERVICE}
  UNION SELECT j.value FROM ${endpointGroups}, json_each(${endpointGroups.endpoints}) AS j
  WHERE ${endpointGroups.id} = ${sql.placeholder('localGroupId')} AND ${endpointGroups.type} = 'subnet')`;
const Q = { router: Symbol('router of service'), subnets: Symbol('local subnets'), attached: Symbol('attached local subnets') };

function topologySteps(tx: Db, serviceId: string, groups: GroupIds) {
  const v = { serviceId, localGroupId: groups.local };
  return [
    byId(tx, vpnServices, serviceId),
    bind(prepared(tx, Q.router, (db) => db.select().from(routers).where(sql`${routers.id} = ${routerOfService}`).prepare()), v),
    byId(tx, endpointGroups, groups.local ?? ''),
    byId(tx, endpointGroups, groups.peer ?? ''),
    bind(prepared(tx, Q.subnets, (db) => db.select({ id: subnets.id, ipVersion: subnets.ipVersion }).from(subnets)
      .where(sql`${subnets.id} IN ${localSubnetIds}`).prepare()), v),
    bind(prepared(tx, Q.attached, (db) => db.select({ subnetId: routerInterfaces.subnetId }).from(routerInterfaces)
      .where(sql`${routerInterfaces.routerId} = ${routerOfService} AND ${routerInterfaces.subnetId} IN ${localSubnetIds}`).prepare()), v),
  ] as const;
}

/**
 * A group the caller names must be visible to it (404 otherwise); a group the connection already uses is taken as
 * it is, so an unrelated update never fails on who owns it.
 */
function visibleGroup(auth: Auth, row: GroupRow | undefined, id: string | null, current: string | null): GroupRow | null {
  if (!id) return null;
  if (id !== current) return visibleEndpointGroup(auth, row, id);
  return row ?? null;
}

/**
 * The VPN service (visible to the caller, 404 otherwise) and the topology of a connection on it, in one round trip
 * with `first` (whose results come back as `first`). The topology is judged when asked for (its groups' 404s), so
 * the caller checks `first` (the create's policies) in between, in the order the API always answered.
 */
export async function readTopology<const F extends readonly Step[] = []>(tx: Db, auth: Auth, read: {
  serviceId: string;
  groups: GroupIds;
  /** The groups the connection uses now (an update): taken as they are. */
  current?: GroupIds;
  first?: F;
  /** false: the service of an existing connection, taken as it is (it exists: the connection refers to it). */
  checkService?: boolean;
}): Promise<{ service: VpnServiceRow; topology: () => ConnectionTopology; first: TripResults<F> }> {
  const { serviceId, groups, current = { local: null, peer: null } } = read;
  const pre = read.first ?? ([] as unknown as F);
  const results = await inOneTrip(tx, [...pre, ...topologySteps(tx, serviceId, groups)]);
  const [[serviceRow], [router], [localRow], [peerRow], subnetRows, attachedRows] =
    results.slice(pre.length) as unknown as TripResults<ReturnType<typeof topologySteps>>;
  const service = read.checkService === false && serviceRow ? serviceRow : visibleVpnService(auth, serviceRow, serviceId);
  const topology = (): ConnectionTopology => {
    const localGroup = visibleGroup(auth, localRow, groups.local, current.local);
    const peerGroup = visibleGroup(auth, peerRow, groups.peer, current.peer);
    const on = new Set(attachedRows.map((a) => a.subnetId));
    const found = new Map<string, LocalSubnet>(subnetRows.map((s) => [s.id, { id: s.id, ipVersion: s.ipVersion, attached: on.has(s.id) }]));
    const among = (ids: string[]) => new Map(ids.flatMap((id) => (found.has(id) ? [[id, found.get(id)!] as const] : [])));
    return {
      routerId: service.routerId,
      hasGateway: !!router?.gatewayNetworkId,
      gatewayIps: (router?.gatewayFixedIps ?? []).map((f) => f.ip_address),
      // A legacy subnet deleted behind the service's back still counts as legacy mode, and as not attached.
      legacySubnet: service.subnetId ? found.get(service.subnetId) ?? { id: service.subnetId, ipVersion: 0, attached: false } : null,
      localGroup: localGroup && {
        id: localGroup.id, type: localGroup.type, endpoints: localGroup.endpoints,
        subnets: localGroup.type === 'subnet' ? among(localGroup.endpoints) : new Map(),
      },
      peerGroup: peerGroup && { id: peerGroup.id, type: peerGroup.type, endpoints: peerGroup.endpoints },
    };
  };
  return { service, topology, first: results.slice(0, pre.length) as unknown as TripResults<F> };
}
