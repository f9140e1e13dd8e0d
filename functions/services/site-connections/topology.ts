// Reads, inside the write transaction, everything a site connection refers to: its VPN service, router, legacy
// subnet, endpoint groups and their subnets — the snapshot validate.ts judges.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { findById, jsonIn, prepared } from '../../db/prepared';
import { endpointGroups, routerInterfaces, routers, subnets } from '../../db/schema';
import type { Auth } from '../../http/env';
import { getEndpointGroupRow } from '../endpoint-groups/read';
import type { VpnServiceRow } from '../vpnservices/view';
import type { ConnectionTopology, LocalSubnet } from './validate';

type GroupRow = typeof endpointGroups.$inferSelect;

/**
 * A group the caller names must be visible to it (404 otherwise); a group the connection already uses is read
 * as it is, so an unrelated update never fails on who owns it.
 */
async function readGroup(tx: Db, auth: Auth, id: string | null, current: string | null): Promise<GroupRow | null> {
  if (!id) return null;
  if (id !== current) return getEndpointGroupRow(tx, auth, id);
  return (await findById(tx, endpointGroups, id)) ?? null;
}

const Q_SUBNETS = Symbol('subnet versions');
const Q_ATTACHED = Symbol('attached subnets');

async function localSubnets(tx: Db, routerId: string, ids: string[]): Promise<Map<string, LocalSubnet>> {
  if (ids.length === 0) return new Map();
  const json = JSON.stringify(ids);
  const rows = await prepared(tx, Q_SUBNETS, (db) => db.select({ id: subnets.id, ipVersion: subnets.ipVersion }).from(subnets)
    .where(jsonIn(subnets.id, 'ids')).prepare()).all({ ids: json });
  const attached = await prepared(tx, Q_ATTACHED, (db) => db.select({ subnetId: routerInterfaces.subnetId }).from(routerInterfaces)
    .where(and(eq(routerInterfaces.routerId, sql.placeholder('routerId')), jsonIn(routerInterfaces.subnetId, 'ids'))).prepare()).all({ routerId, ids: json });
  const on = new Set(attached.map((a) => a.subnetId));
  return new Map(rows.map((s) => [s.id, { id: s.id, ipVersion: s.ipVersion, attached: on.has(s.id) }]));
}

export async function readTopology(
  tx: Db, auth: Auth, service: VpnServiceRow,
  groups: { local: string | null; peer: string | null }, current: { local: string | null; peer: string | null } = { local: null, peer: null },
): Promise<ConnectionTopology> {
  const router = await findById(tx, routers, service.routerId);
  const localGroup = await readGroup(tx, auth, groups.local, current.local);
  const peerGroup = await readGroup(tx, auth, groups.peer, current.peer);
  const legacy = service.subnetId ? (await localSubnets(tx, service.routerId, [service.subnetId])).get(service.subnetId) : undefined;
  return {
    routerId: service.routerId,
    hasGateway: !!router?.gatewayNetworkId,
    gatewayIps: (router?.gatewayFixedIps ?? []).map((f) => f.ip_address),
    // A legacy subnet deleted behind the service's back still counts as legacy mode, and as not attached.
    legacySubnet: service.subnetId ? legacy ?? { id: service.subnetId, ipVersion: 0, attached: false } : null,
    localGroup: localGroup && {
      id: localGroup.id, type: localGroup.type, endpoints: localGroup.endpoints,
      subnets: localGroup.type === 'subnet' ? await localSubnets(tx, service.routerId, localGroup.endpoints) : new Map(),
    },
    peerGroup: peerGroup && { id: peerGroup.id, type: peerGroup.type, endpoints: peerGroup.endpoints },
  };
}
