// readSnapshot: everything planRouter needs about one router, read inside the caller's write transaction.
import { and, asc, eq, or, sql } from 'drizzle-orm';
import { notFound } from '../../shared/errors';
import type { Db } from '../db/client';
import { prepared } from '../db/prepared';
import { bind, inOneTrip, type Step, type TripResults } from '../db/batch';
import {
  chains, containerGroups, containers, endpointGroups, hostGroups, ipsecSiteConnections, ports, routers, routes, rules,
  subnets, vpnServices,
} from '../db/schema';
import { resolveConnectionCidrs, type EndpointGroupLite } from './cidrs';
import { REDIRECT_CHAIN, VPN_RULE_OWNER } from './plan';
import type { RouterSnapshot } from './types';

const ph = (name: string) => sql.placeholder(name);

// Every read of a router's snapshot, prepared once per drizzle instance (functions/db/prepared.ts) and keyed on the
// router's id alone (what depends on another row is a subquery), so all of them go in ONE round trip.
const Q = {
  router: Symbol('router'), container: Symbol('container'), groups: Symbol('groups'), ports: Symbol('ports'), gatewayCidrs: Symbol('gatewayCidrs'),
  hostGroups: Symbol('hostGroups'), services: Symbol('services'), conns: Symbol('conns'), eps: Symbol('eps'), vpnCidrs: Symbol('vpnCidrs'),
  routes: Symbol('routes'), chain: Symbol('chain'), rules: Symbol('rules'),
};
const ROUTER = ph('routerId');
const containerGroupOf = sql`(SELECT ${containers.groupId} FROM ${containers} WHERE ${containers.serviceType} = 'IPSEC' AND ${containers.configurationId} = ${ROUTER} LIMIT 1)`;
const serviceIds = sql`(SELECT ${vpnServices.id} FROM ${vpnServices} WHERE ${vpnServices.routerId} = ${ROUTER})`;
const epIds = sql`(SELECT ${ipsecSiteConnections.localEpGroupId} FROM ${ipsecSiteConnections} WHERE ${ipsecSiteConnections.vpnServiceId} IN ${serviceIds}
  UNION SELECT ${ipsecSiteConnections.peerEpGroupId} FROM ${ipsecSiteConnections} WHERE ${ipsecSiteConnections.vpnServiceId} IN ${serviceIds})`;
const queries = (tx: Db) => ({
  router: prepared(tx, Q.router, (db) => db.select().from(routers).where(eq(routers.id, ROUTER)).limit(1).prepare()),
  container: prepared(tx, Q.container, (db) => db.select().from(containers)
    .where(and(eq(containers.serviceType, 'IPSEC'), eq(containers.configurationId, ROUTER))).limit(1).prepare()),
  groups: prepared(tx, Q.groups, (db) => db.select().from(containerGroups)
    .where(or(eq(containerGroups.routerId, ROUTER), sql`${containerGroups.id} = ${containerGroupOf}`))
    .orderBy(asc(containerGroups.createdAt), asc(containerGroups.id)).prepare()),
  ports: prepared(tx, Q.ports, (db) => db.select().from(ports).where(eq(ports.routerId, ROUTER)).orderBy(asc(ports.createdAt), asc(ports.id)).prepare()),
  gatewayCidrs: prepared(tx, Q.gatewayCidrs, (db) => db.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets)
    .where(sql`${subnets.id} IN (SELECT json_extract(j.value, '$.subnet_id') FROM ${routers}, json_each(${routers.gatewayFixedIps}) AS j WHERE ${routers.id} = ${ROUTER})`).prepare()),
  hostGroups: prepared(tx, Q.hostGroups, (db) => db.select({ id: hostGroups.id, name: hostGroups.name }).from(hostGroups)
    .where(sql`${hostGroups.name} IN (SELECT j.value FROM ${routers}, json_each(${routers.availabilityZoneHints}) AS j WHERE ${routers.id} = ${ROUTER})`).prepare()),
  services: prepared(tx, Q.services, (db) => db.select().from(vpnServices).where(eq(vpnServices.routerId, ROUTER))
    .orderBy(asc(vpnServices.createdAt), asc(vpnServices.id)).prepare()),
  conns: prepared(tx, Q.conns, (db) => db.select().from(ipsecSiteConnections).where(sql`${ipsecSiteConnections.vpnServiceId} IN ${serviceIds}`)
    .orderBy(asc(ipsecSiteConnections.createdAt), asc(ipsecSiteConnections.id)).prepare()),
  eps: prepared(tx, Q.eps, (db) => db.select({ id: endpointGroups.id, type: endpointGroups.type, endpoints: endpointGroups.endpoints })
    .from(endpointGroups).where(sql`${endpointGroups.id} IN ${epIds}`).prepare()),
  // The services' subnets and the endpoints of the subnet groups their connections use.
  vpnCidrs: prepared(tx, Q.vpnCidrs, (db) => db.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets)
    .where(sql`${subnets.id} IN (SELECT ${vpnServices.subnetId} FROM ${vpnServices} WHERE ${vpnServices.routerId} = ${ROUTER}
      UNION SELECT j.value FROM ${endpointGroups}, json_each(${endpointGroups.endpoints}) AS j WHERE ${endpointGroups.type} = 'subnet' AND ${endpointGroups.id} IN ${epIds})`).prepare()),
  routes: prepared(tx, Q.routes, (db) => db.select().from(routes).where(eq(routes.routerId, ROUTER)).orderBy(asc(routes.createdAt), asc(routes.id)).prepare()),
  chain: prepared(tx, Q.chain, (db) => db.select().from(chains).where(and(eq(chains.routerId, ROUTER), eq(chains.name, REDIRECT_CHAIN))).limit(1).prepare()),
  rules: prepared(tx, Q.rules, (db) => db.select().from(rules)
    .where(sql`${rules.chainId} = (SELECT ${chains.id} FROM ${chains} WHERE ${chains.routerId} = ${ROUTER} AND ${chains.name} = ${REDIRECT_CHAIN} LIMIT 1)`)
    .orderBy(asc(rules.position), asc(rules.id)).prepare()),
});

/** The snapshot's reads as steps of one trip (see readSnapshotAfter). */
function snapshotSteps(tx: Db, routerId: string) {
  const q = queries(tx);
  const v = { routerId };
  return [bind(q.router, v), bind(q.container, v), bind(q.groups, v), bind(q.ports, v), bind(q.gatewayCidrs, v), bind(q.hostGroups, v),
    bind(q.services, v), bind(q.conns, v), bind(q.eps, v), bind(q.vpnCidrs, v), bind(q.routes, v), bind(q.chain, v), bind(q.rules, v)] as const;
}

export async function readSnapshot(tx: Db, routerId: string, now: number): Promise<RouterSnapshot> {
  return (await readSnapshotAfter(tx, routerId, now, [])).snapshot;
}

/**
 * The snapshot, read in one round trip together with `before` (statements that run first in the same trip — a
 * create's INSERT — whose results are returned as `before`).
 */
export async function readSnapshotAfter<const B extends readonly Step[]>(tx: Db, routerId: string, now: number, before: B) {
  const results = await inOneTrip(tx, [...before, ...snapshotSteps(tx, routerId)]);
  const [[router], [container], groups, routerPorts, gatewaySubnets, groupsByName, services, conns, eps, subnetRows, routerRoutes, [chain], chainRules] =
    results.slice(before.length) as unknown as TripResults<ReturnType<typeof snapshotSteps>>;
  if (!router) throw notFound(`Router ${routerId} could not be found.`, 'RouterNotFound');

  // Ports: the VPN's service port(s) are ours; every other port's subnet is off limits for the link-local /30.
  const isVpnPort = (p: typeof routerPorts[number]) =>
    p.kind === 'service' && (p.serviceContainerId === null || p.serviceContainerId === container?.id || p.id === container?.portId);
  const vpnPorts = routerPorts.filter(isVpnPort);
  const usedCidrs = [
    ...routerPorts.filter((p) => !isVpnPort(p)).map((p) => `${p.address}/${p.prefixLen}`),
    ...gatewaySubnets.map((s) => s.cidr),
  ];
  const hints = router.availabilityZoneHints;

  // Northbound VPN state: services, connections, endpoint groups and the subnets they name.
  const subnetCidrs = new Map(subnetRows.map((s) => [s.id, s.cidr]));
  const epById = new Map((eps as EndpointGroupLite[]).map((g) => [g.id, g]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const connections = conns.map((c) => resolveConnectionCidrs(c, serviceById.get(c.vpnServiceId)!, epById, subnetCidrs));

  // Southbound: routes through the VPN port plus every IPsec route; the chain and the rules in it.
  const vpnPortIds = new Set(vpnPorts.map((p) => p.id));
  const snapshot: RouterSnapshot = {
    now,
    router: { id: router.id, tenantId: router.tenantId, gatewayFixedIps: router.gatewayFixedIps, availabilityZoneHints: hints },
    usedCidrs,
    hostGroups: groupsByName,
    connections,
    foreignRules: chainRules.filter((r) => r.owner !== VPN_RULE_OWNER),
    current: {
      ports: vpnPorts,
      routes: routerRoutes.filter((r) => r.origin === 'ipsec' || vpnPortIds.has(r.nextHopPortId)),
      chains: chain ? [chain] : [],
      rules: chainRules.filter((r) => r.owner === VPN_RULE_OWNER),
      groups,
      containers: container ? [container] : [],
      services: services.map((s) => ({ id: s.id, externalV4Ip: s.externalV4Ip, externalV6Ip: s.externalV6Ip })),
    },
  };
  return { snapshot, before: results.slice(0, before.length) as unknown as TripResults<B> };
}
