// readSnapshot: everything planRouter needs about one router, read inside the caller's write transaction.
import { and, asc, eq, inArray, or } from 'drizzle-orm';
import { notFound } from '../../shared/errors';
import type { Db } from '../db/client';
import {
  chains, containerGroups, containers, endpointGroups, hostGroups, ipsecSiteConnections, ports, routers, routes, rules,
  subnets, vpnServices,
} from '../db/schema';
import { resolveConnectionCidrs, type EndpointGroupLite } from './cidrs';
import { REDIRECT_CHAIN, VPN_RULE_OWNER } from './plan';
import type { RouterSnapshot } from './types';

const unique = <T>(xs: (T | null | undefined)[]): T[] => [...new Set(xs.filter((x): x is T => x != null))];

export async function readSnapshot(tx: Db, routerId: string, now: number): Promise<RouterSnapshot> {
  const [router] = await tx.select().from(routers).where(eq(routers.id, routerId)).limit(1);
  if (!router) throw notFound(`Router ${routerId} could not be found.`, 'RouterNotFound');

  // The router's container and group (one IPSEC container per router).
  const [container] = await tx.select().from(containers)
    .where(and(eq(containers.serviceType, 'IPSEC'), eq(containers.configurationId, routerId))).limit(1);
  const groups = await tx.select().from(containerGroups)
    .where(container ? or(eq(containerGroups.routerId, routerId), eq(containerGroups.id, container.groupId)) : eq(containerGroups.routerId, routerId))
    .orderBy(asc(containerGroups.createdAt), asc(containerGroups.id));

  // Ports: the VPN's service port(s) are ours; every other port's subnet is off limits for the link-local /30.
  const routerPorts = await tx.select().from(ports).where(eq(ports.routerId, routerId)).orderBy(asc(ports.createdAt), asc(ports.id));
  const isVpnPort = (p: typeof routerPorts[number]) =>
    p.kind === 'service' && (p.serviceContainerId === null || p.serviceContainerId === container?.id || p.id === container?.portId);
  const vpnPorts = routerPorts.filter(isVpnPort);
  const gatewaySubnetIds = unique(router.gatewayFixedIps.map((f) => f.subnet_id));
  const gatewaySubnets = gatewaySubnetIds.length
    ? await tx.select({ cidr: subnets.cidr }).from(subnets).where(inArray(subnets.id, gatewaySubnetIds))
    : [];
  const usedCidrs = [
    ...routerPorts.filter((p) => !isVpnPort(p)).map((p) => `${p.address}/${p.prefixLen}`),
    ...gatewaySubnets.map((s) => s.cidr),
  ];

  const hints = router.availabilityZoneHints;
  const groupsByName = hints.length
    ? await tx.select({ id: hostGroups.id, name: hostGroups.name }).from(hostGroups).where(inArray(hostGroups.name, hints))
    : [];

  // Northbound VPN state: services, connections, endpoint groups and the subnets they name.
  const services = await tx.select().from(vpnServices).where(eq(vpnServices.routerId, routerId))
    .orderBy(asc(vpnServices.createdAt), asc(vpnServices.id));
  const conns = services.length
    ? await tx.select().from(ipsecSiteConnections).where(inArray(ipsecSiteConnections.vpnServiceId, services.map((s) => s.id)))
      .orderBy(asc(ipsecSiteConnections.createdAt), asc(ipsecSiteConnections.id))
    : [];
  const epIds = unique(conns.flatMap((c) => [c.localEpGroupId, c.peerEpGroupId]));
  const eps: EndpointGroupLite[] = epIds.length
    ? await tx.select({ id: endpointGroups.id, type: endpointGroups.type, endpoints: endpointGroups.endpoints })
      .from(endpointGroups).where(inArray(endpointGroups.id, epIds))
    : [];
  const subnetIds = unique([...services.map((s) => s.subnetId), ...eps.filter((g) => g.type === 'subnet').flatMap((g) => g.endpoints)]);
  const subnetRows = subnetIds.length
    ? await tx.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets).where(inArray(subnets.id, subnetIds))
    : [];
  const subnetCidrs = new Map(subnetRows.map((s) => [s.id, s.cidr]));
  const epById = new Map(eps.map((g) => [g.id, g]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const connections = conns.map((c) => resolveConnectionCidrs(c, serviceById.get(c.vpnServiceId)!, epById, subnetCidrs));

  // Southbound: routes through the VPN port plus every IPsec route; the chain and the rules in it.
  const vpnPortIds = new Set(vpnPorts.map((p) => p.id));
  const routerRoutes = await tx.select().from(routes).where(eq(routes.routerId, routerId)).orderBy(asc(routes.createdAt), asc(routes.id));
  const [chain] = await tx.select().from(chains).where(and(eq(chains.routerId, routerId), eq(chains.name, REDIRECT_CHAIN))).limit(1);
  const chainRules = chain
    ? await tx.select().from(rules).where(eq(rules.chainId, chain.id)).orderBy(asc(rules.position), asc(rules.id))
    : [];

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
