// readSnapshot: everything planRouter needs about one router, read inside the caller's write transaction.
import { and, asc, eq, or, sql } from 'drizzle-orm';
import { notFound } from '../../shared/errors';
import type { Db } from '../db/client';
import { jsonIn, prepared } from '../db/prepared';
import {
  chains, containerGroups, containers, endpointGroups, hostGroups, ipsecSiteConnections, ports, routers, routes, rules,
  subnets, vpnServices,
} from '../db/schema';
import { resolveConnectionCidrs, type EndpointGroupLite } from './cidrs';
import { REDIRECT_CHAIN, VPN_RULE_OWNER } from './plan';
import type { RouterSnapshot } from './types';

const unique = <T>(xs: (T | null | undefined)[]): T[] => [...new Set(xs.filter((x): x is T => x != null))];

const ph = (name: string) => sql.placeholder(name);

// Every read of a router's snapshot, prepared once per drizzle instance (functions/db/prepared.ts).
const Q = {
  router: Symbol('router'), container: Symbol('container'), groups: Symbol('groups'), ports: Symbol('ports'), subnetCidrs: Symbol('subnetCidrs'),
  hostGroups: Symbol('hostGroups'), services: Symbol('services'), conns: Symbol('conns'), eps: Symbol('eps'), routes: Symbol('routes'),
  chain: Symbol('chain'), rules: Symbol('rules'),
};
const queries = (tx: Db) => ({
  router: prepared(tx, Q.router, (db) => db.select().from(routers).where(eq(routers.id, ph('routerId'))).limit(1).prepare()),
  container: prepared(tx, Q.container, (db) => db.select().from(containers)
    .where(and(eq(containers.serviceType, 'IPSEC'), eq(containers.configurationId, ph('routerId')))).limit(1).prepare()),
  groups: prepared(tx, Q.groups, (db) => db.select().from(containerGroups)
    .where(or(eq(containerGroups.routerId, ph('routerId')), eq(containerGroups.id, ph('groupId'))))
    .orderBy(asc(containerGroups.createdAt), asc(containerGroups.id)).prepare()),
  ports: prepared(tx, Q.ports, (db) => db.select().from(ports).where(eq(ports.routerId, ph('routerId'))).orderBy(asc(ports.createdAt), asc(ports.id)).prepare()),
  subnetCidrs: prepared(tx, Q.subnetCidrs, (db) => db.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets).where(jsonIn(subnets.id, 'ids')).prepare()),
  hostGroups: prepared(tx, Q.hostGroups, (db) => db.select({ id: hostGroups.id, name: hostGroups.name }).from(hostGroups).where(jsonIn(hostGroups.name, 'names')).prepare()),
  services: prepared(tx, Q.services, (db) => db.select().from(vpnServices).where(eq(vpnServices.routerId, ph('routerId')))
    .orderBy(asc(vpnServices.createdAt), asc(vpnServices.id)).prepare()),
  conns: prepared(tx, Q.conns, (db) => db.select().from(ipsecSiteConnections).where(jsonIn(ipsecSiteConnections.vpnServiceId, 'ids'))
    .orderBy(asc(ipsecSiteConnections.createdAt), asc(ipsecSiteConnections.id)).prepare()),
  eps: prepared(tx, Q.eps, (db) => db.select({ id: endpointGroups.id, type: endpointGroups.type, endpoints: endpointGroups.endpoints })
    .from(endpointGroups).where(jsonIn(endpointGroups.id, 'ids')).prepare()),
  routes: prepared(tx, Q.routes, (db) => db.select().from(routes).where(eq(routes.routerId, ph('routerId'))).orderBy(asc(routes.createdAt), asc(routes.id)).prepare()),
  chain: prepared(tx, Q.chain, (db) => db.select().from(chains).where(and(eq(chains.routerId, ph('routerId')), eq(chains.name, REDIRECT_CHAIN))).limit(1).prepare()),
  rules: prepared(tx, Q.rules, (db) => db.select().from(rules).where(eq(rules.chainId, ph('chainId'))).orderBy(asc(rules.position), asc(rules.id)).prepare()),
});

export async function readSnapshot(tx: Db, routerId: string, now: number): Promise<RouterSnapshot> {
  const q = queries(tx);
  const [router] = await q.router.all({ routerId });
  if (!router) throw notFound(`Router ${routerId} could not be found.`, 'RouterNotFound');

  // The router's container and group (one IPSEC container per router).
  const [container] = await q.container.all({ routerId });
  const groups = await q.groups.all({ routerId, groupId: container?.groupId ?? null });

  // Ports: the VPN's service port(s) are ours; every other port's subnet is off limits for the link-local /30.
  const routerPorts = await q.ports.all({ routerId });
  const isVpnPort = (p: typeof routerPorts[number]) =>
    p.kind === 'service' && (p.serviceContainerId === null || p.serviceContainerId === container?.id || p.id === container?.portId);
  const vpnPorts = routerPorts.filter(isVpnPort);
  const gatewaySubnetIds = unique(router.gatewayFixedIps.map((f) => f.subnet_id));
  const gatewaySubnets = gatewaySubnetIds.length ? await q.subnetCidrs.all({ ids: JSON.stringify(gatewaySubnetIds) }) : [];
  const usedCidrs = [
    ...routerPorts.filter((p) => !isVpnPort(p)).map((p) => `${p.address}/${p.prefixLen}`),
    ...gatewaySubnets.map((s) => s.cidr),
  ];

  const hints = router.availabilityZoneHints;
  const groupsByName = hints.length ? await q.hostGroups.all({ names: JSON.stringify(hints) }) : [];

  // Northbound VPN state: services, connections, endpoint groups and the subnets they name.
  const services = await q.services.all({ routerId });
  const conns = services.length ? await q.conns.all({ ids: JSON.stringify(services.map((s) => s.id)) }) : [];
  const epIds = unique(conns.flatMap((c) => [c.localEpGroupId, c.peerEpGroupId]));
  const eps: EndpointGroupLite[] = epIds.length ? await q.eps.all({ ids: JSON.stringify(epIds) }) : [];
  const subnetIds = unique([...services.map((s) => s.subnetId), ...eps.filter((g) => g.type === 'subnet').flatMap((g) => g.endpoints)]);
  const subnetRows = subnetIds.length ? await q.subnetCidrs.all({ ids: JSON.stringify(subnetIds) }) : [];
  const subnetCidrs = new Map(subnetRows.map((s) => [s.id, s.cidr]));
  const epById = new Map(eps.map((g) => [g.id, g]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const connections = conns.map((c) => resolveConnectionCidrs(c, serviceById.get(c.vpnServiceId)!, epById, subnetCidrs));

  // Southbound: routes through the VPN port plus every IPsec route; the chain and the rules in it.
  const vpnPortIds = new Set(vpnPorts.map((p) => p.id));
  const routerRoutes = await q.routes.all({ routerId });
  const [chain] = await q.chain.all({ routerId });
  const chainRules = chain ? await q.rules.all({ chainId: chain.id }) : [];

  return {
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
}
