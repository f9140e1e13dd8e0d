// The virtual topology in one read (GET /v1/topology): a handful of whole-table selects joined in memory, which
// stays cheap for the hundreds of routers one operator looks at and needs no query per router.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import {
  containers, endpointGroups, ipsecSiteConnections, networks, routerInterfaces, routers, subnets, vpnServices,
} from '../../db/schema';
import type { Topology, TopologyRouter } from '../../../shared/model/topology';

const groupBy = <T, K>(xs: readonly T[], key: (x: T) => K) => {
  const m = new Map<K, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
};

export async function readTopology(db: Db): Promise<Topology> {
  const [rs, ifaces, subs, nets, svcs, conns, groups, boxes] = await Promise.all([
    db.select().from(routers).orderBy(asc(routers.name), asc(routers.id)),
    db.select().from(routerInterfaces),
    db.select().from(subnets),
    db.select({ id: networks.id, name: networks.name }).from(networks),
    db.select().from(vpnServices).orderBy(asc(vpnServices.name)),
    db.select({
      id: ipsecSiteConnections.id, name: ipsecSiteConnections.name, vpnServiceId: ipsecSiteConnections.vpnServiceId,
      peerAddress: ipsecSiteConnections.peerAddress, peerCidrs: ipsecSiteConnections.peerCidrs, peerEpGroupId: ipsecSiteConnections.peerEpGroupId,
      status: ipsecSiteConnections.status, sendError: ipsecSiteConnections.sendError, tunnel: ipsecSiteConnections.tunnel,
    }).from(ipsecSiteConnections).orderBy(asc(ipsecSiteConnections.name)),
    db.select({ id: endpointGroups.id, endpoints: endpointGroups.endpoints }).from(endpointGroups).where(eq(endpointGroups.type, 'cidr')),
    db.select().from(containers).where(eq(containers.serviceType, 'IPSEC')),
  ]);
  const subnetById = new Map(subs.map((s) => [s.id, s]));
  const netName = new Map(nets.map((n) => [n.id, n.name]));
  const cidrGroup = new Map(groups.map((g) => [g.id, g.endpoints]));
  const ifacesOf = groupBy(ifaces, (i) => i.routerId);
  const svcsOf = groupBy(svcs, (s) => s.routerId);
  const connsOf = groupBy(conns, (c) => c.vpnServiceId);
  const boxOf = new Map(boxes.map((b) => [b.configurationId, b]));

  return {
    routers: rs.map((r): TopologyRouter => {
      const box = boxOf.get(r.id);
      return {
        id: r.id,
        name: r.name,
        tenantId: r.tenantId,
        gateway: r.gatewayNetworkId
          ? { networkId: r.gatewayNetworkId, networkName: netName.get(r.gatewayNetworkId) ?? '', ips: r.gatewayFixedIps.map((f) => f.ip_address) }
          : null,
        subnets: (ifacesOf.get(r.id) ?? []).map((i) => subnetById.get(i.subnetId)).filter((s) => s !== undefined)
          .map((s) => ({ id: s.id, name: s.name, cidr: s.cidr, gatewayIp: s.gatewayIp })),
        vpnServices: (svcsOf.get(r.id) ?? []).map((s) => ({
          id: s.id,
          name: s.name,
          status: s.status,
          statusReason: s.sendError,
          externalIp: s.externalV4Ip ?? s.externalV6Ip,
          connections: (connsOf.get(s.id) ?? []).map((c) => ({
            id: c.id,
            name: c.name,
            peerAddress: c.peerAddress,
            peerCidrs: c.peerCidrs.length ? c.peerCidrs : (c.peerEpGroupId ? cidrGroup.get(c.peerEpGroupId) ?? [] : []),
            status: c.status,
            statusReason: c.sendError,
            tunnel: c.tunnel?.state ?? null,
          })),
        })),
        container: box ? { id: box.id, hostId: box.hostId, status: box.status, schedulerState: box.schedulerState, statusMessage: box.statusMessage } : null,
      };
    }),
  };
}
