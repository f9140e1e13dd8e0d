// The operator's view of a router's southbound objects (GET /v1/routers/{id}/southbound), each list in a stable order.
import { asc, eq, inArray } from 'drizzle-orm';
import { notFound } from '../../shared/errors';
import type { Db } from '../db/client';
import { chains, ports, routers, routes, rules } from '../db/schema';

export async function routerSouthbound(db: Db, routerId: string) {
  const [router] = await db.select({ id: routers.id }).from(routers).where(eq(routers.id, routerId)).limit(1);
  if (!router) throw notFound(`Router ${routerId} could not be found.`);
  const portRows = await db.select({
    id: ports.id, routerId: ports.routerId, kind: ports.kind, subnetId: ports.subnetId, address: ports.address,
    prefixLen: ports.prefixLen, mac: ports.mac, interfaceName: ports.interfaceName, hostId: ports.hostId,
    serviceContainerId: ports.serviceContainerId,
  }).from(ports).where(eq(ports.routerId, routerId)).orderBy(asc(ports.kind), asc(ports.address), asc(ports.id));
  const routeRows = await db.select({
    id: routes.id, srcCidr: routes.srcCidr, dstCidr: routes.dstCidr, nextHopPortId: routes.nextHopPortId,
    nextHopGateway: routes.nextHopGateway, origin: routes.origin, ipsecSiteConnectionId: routes.ipsecSiteConnectionId,
  }).from(routes).where(eq(routes.routerId, routerId))
    .orderBy(asc(routes.origin), asc(routes.ipsecSiteConnectionId), asc(routes.srcCidr), asc(routes.dstCidr), asc(routes.id));
  const chainRows = await db.select({ id: chains.id, routerId: chains.routerId, name: chains.name })
    .from(chains).where(eq(chains.routerId, routerId)).orderBy(asc(chains.name), asc(chains.id));
  const ruleRows = chainRows.length
    ? await db.select({
      id: rules.id, chainId: rules.chainId, action: rules.action, nwDstIp: rules.nwDstIp, nwProto: rules.nwProto,
      tpDst: rules.tpDst, targetPortId: rules.targetPortId,
    }).from(rules).where(inArray(rules.chainId, chainRows.map((c) => c.id)))
      .orderBy(asc(rules.chainId), asc(rules.position), asc(rules.id))
    : [];
  return { ports: portRows, routes: routeRows, chains: chainRows, rules: ruleRows };
}
