// Reads, inside the write transaction, everything a site connection refers to: its VPN service, router, legacy
// subnet, endpoint groups and their subnets — the snapshot validate.ts judges. All of it is keyed on ids the
// request names (what depends on another row is a subquery), so it is ONE round trip (functions/db/batch.ts),
// together with whatever else the caller reads first (the create's policies).
import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client';
import { bind, inOneTrip, type Step, type TripResults } from '../../db/batch';
import { byId, prepared } from '../../db/prepared';
import { endpointGroups, ipsecSiteConnections, routerInterfaces, routers, subnets, vpnServices } from '../../db/schema';
import type { Auth } from '../../http/env';
import { visibleEndpointGroup } from '../endpoint-groups/read';
import { visibleVpnService } from '../vpnservices/read';
import { visibleSiteConnection } from './read';
import type { VpnServiceRow } from '../vpnservices/view';
import type { ConnectionTopology, LocalSubnet } from './validate';

type GroupRow = typeof endpointGroups.$inferSelect;
export interface GroupIds { local: string | null; peer: string | null }

// The ids are SQL: placeholders for a create (prepared once), subqueries on the connection row for an update.
const routerOf = (service: SQL) => sql`(SELECT ${vpnServices.routerId} FROM ${vpnServices} WHERE ${vpnServices.id} = ${service})`;
// The service's own subnet (legacy mode) and the endpoints of the local group when it is a subnet group.
const localSubnetIdsOf = (service: SQL, localGroup: SQL) => sql`(SELECT ${vpnServices.subnetId} FROM ${vpnServices} WHERE ${vpnServices.id} = ${service}
  UNION SELECT j.value FROM ${endpointGroups}, json_each(${endpointGroups.endpoints}) AS j
  WHERE ${endpointGroups.id} = ${localGroup} AND ${endpointGroups.type} = 'subnet')`;
const routerStep = (db: Db, service: SQL) => db.select().from(routers).where(sql`${routers.id} = ${routerOf(service)}`);
const subnetsStep = (db: Db, service: SQL, local: SQL) => db.select({ id: subnets.id, ipVersion: subnets.ipVersion }).from(subnets)
  .where(sql`${subnets.id} IN ${localSubnetIdsOf(service, local)}`);
const attachedStep = (db: Db, service: SQL, local: SQL) => db.select({ subnetId: routerInterfaces.subnetId }).from(routerInterfaces)
  .where(sql`${routerInterfaces.routerId} = ${routerOf(service)} AND ${routerInterfaces.subnetId} IN ${localSubnetIdsOf(service, local)}`);

const SERVICE = sql`${sql.placeholder('serviceId')}`;
const LOCAL = sql`${sql.placeholder('localGroupId')}`;
const Q = { router: Symbol('router of service'), subnets: Symbol('local subnets'), attached: Symbol('attached local subnets') };

function topologySteps(tx: Db, serviceId: string, groups: GroupIds) {
  const v = { serviceId, localGroupId: groups.local };
  return [
    byId(tx, vpnServices, serviceId),
    bind(prepared(tx, Q.router, (db) => routerStep(db, SERVICE).prepare()), v),
    byId(tx, endpointGroups, groups.local ?? ''),
    byId(tx, endpointGroups, groups.peer ?? ''),
    bind(prepared(tx, Q.subnets, (db) => subnetsStep(db, SERVICE, LOCAL).prepare()), v),
    bind(prepared(tx, Q.attached, (db) => attachedStep(db, SERVICE, LOCAL).prepare()), v),
  ] as const;
}

/** A group id an update names (null: none), or (undefined) the one the connection has: as SQL. */
const groupIdOf = (connectionId: string, column: SQLiteColumn, named: string | null | undefined): SQL => named !== undefined
  ? sql`${named}`
  : sql`(SELECT ${column} FROM ${ipsecSiteConnections} WHERE ${ipsecSiteConnections.id} = ${connectionId})`;

/** The connection and the same reads as topologySteps, every id a subquery on the connection row. */
function connectionSteps(tx: Db, connectionId: string, named: { local: string | null | undefined; peer: string | null | undefined }) {
  const service = sql`(SELECT ${ipsecSiteConnections.vpnServiceId} FROM ${ipsecSiteConnections} WHERE ${ipsecSiteConnections.id} = ${connectionId})`;
  const local = groupIdOf(connectionId, ipsecSiteConnections.localEpGroupId, named.local);
  const peer = groupIdOf(connectionId, ipsecSiteConnections.peerEpGroupId, named.peer);
  return [
    byId(tx, ipsecSiteConnections, connectionId),
    tx.select().from(vpnServices).where(sql`${vpnServices.id} = ${service}`).limit(1),
    routerStep(tx, service),
    tx.select().from(endpointGroups).where(sql`${endpointGroups.id} = ${local}`).limit(1),
    tx.select().from(endpointGroups).where(sql`${endpointGroups.id} = ${peer}`).limit(1),
    subnetsStep(tx, service, local),
    attachedStep(tx, service, local),
  ] as const;
}

type TopologyRows = TripResults<ReturnType<typeof topologySteps>>;

/**
 * A group the caller names must be visible to it (404 otherwise); a group the connection already uses is taken as
 * it is, so an unrelated update never fails on who owns it.
 */
function visibleGroup(auth: Auth, row: GroupRow | undefined, id: string | null, current: string | null): GroupRow | null {
  if (!id) return null;
  if (id !== current) return visibleEndpointGroup(auth, row, id);
  return row ?? null;
}

/** The topology validate.ts judges, from the rows read; the groups' 404s are judged here, when it is asked for. */
function topologyOf(auth: Auth, service: VpnServiceRow, rows: TopologyRows, groups: GroupIds, current: GroupIds): ConnectionTopology {
  const [, [router], [localRow], [peerRow], subnetRows, attachedRows] = rows;
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
}

/**
 * The VPN service (visible to the caller, 404 otherwise) and the topology of a connection on it, in one round trip
 * with `first` (whose results come back as `first`). The topology is judged when asked for (its groups' 404s), so
 * the caller checks `first` (the create's policies) in between, in the order the API always answered.
 */
export async function readTopology<const F extends readonly Step[] = []>(tx: Db, auth: Auth, read: {
  serviceId: string;
  groups: GroupIds;
  first?: F;
}): Promise<{ service: VpnServiceRow; topology: () => ConnectionTopology; first: TripResults<F> }> {
  const { serviceId, groups } = read;
  const pre = read.first ?? ([] as unknown as F);
  const results = await inOneTrip(tx, [...pre, ...topologySteps(tx, serviceId, groups)]);
  const rows = results.slice(pre.length) as unknown as TopologyRows;
  const service = visibleVpnService(auth, rows[0][0], serviceId);
  const none = { local: null, peer: null };
  return { service, topology: () => topologyOf(auth, service, rows, groups, none), first: results.slice(0, pre.length) as unknown as TripResults<F> };
}

/**
 * An existing connection (visible to the caller, 404 otherwise), its VPN service (taken as it is: the connection
 * refers to it) and the topology it would have with the groups an update names (undefined: the one it has), all
 * in ONE round trip. The topology is judged when asked for, with the groups of the merged connection; a group the
 * connection already uses is taken as it is, so an unrelated update never fails on who owns it.
 */
export async function readConnectionTopology(tx: Db, auth: Auth, id: string, named: { local: string | null | undefined; peer: string | null | undefined }) {
  const [[found], ...rest] = await inOneTrip(tx, connectionSteps(tx, id, named));
  const row = visibleSiteConnection(auth, found, id);
  const rows = rest as unknown as TopologyRows;
  const service = rows[0][0] ?? visibleVpnService(auth, undefined, row.vpnServiceId);
  const current = { local: row.localEpGroupId, peer: row.peerEpGroupId };
  return { row, service, topology: (groups: GroupIds) => topologyOf(auth, service, rows, groups, current) };
}
