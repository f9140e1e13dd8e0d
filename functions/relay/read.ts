// Reads everything the desired documents of some hosts are built from, in a handful of queries for all of them
// (containers, ports, routers, routes, rules, VPN services, connections, policies, endpoint groups, subnets).
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { SecretBox } from '../crypto';
import {
  containers, endpointGroups, ikePolicies, ipsecPolicies, ipsecSiteConnections, ports, routers, routes, rules, subnets, vpnServices,
} from '../db/schema';
import { resolveConnectionCidrs, type EndpointGroupLite } from '../translator/cidrs';
import type { ConnectionInput, ContainerInput } from './build';

const unique = <T>(xs: (T | null | undefined)[]): T[] => [...new Set(xs.filter((x): x is T => x != null))];

function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) (m.get(key(x)) ?? m.set(key(x), []).get(key(x))!).push(x);
  return m;
}

async function inIds<T>(ids: string[], q: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  return ids.length === 0 ? [] : q(ids);
}

export async function readContainerInputs(tx: Db, hostIds: string[], secrets: Pick<SecretBox, 'decrypt'>): Promise<Map<string, ContainerInput[]>> {
  const boxes = await inIds(hostIds, (ids) => tx.select().from(containers).where(inArray(containers.hostId, ids))
    .orderBy(asc(containers.createdAt), asc(containers.id)));
  const portIds = unique(boxes.map((c) => c.portId));
  const routerIds = unique(boxes.map((c) => c.configurationId));

  const portRows = await inIds(portIds, (ids) => tx.select().from(ports).where(inArray(ports.id, ids)));
  const routerRows = await inIds(routerIds, (ids) => tx.select({ id: routers.id, gatewayFixedIps: routers.gatewayFixedIps }).from(routers).where(inArray(routers.id, ids)));
  const routeRows = await inIds(portIds, (ids) => tx.select().from(routes)
    .where(and(inArray(routes.nextHopPortId, ids), inArray(routes.origin, ['ipsec', 'vpn-link']))).orderBy(asc(routes.createdAt), asc(routes.id)));
  const ruleRows = await inIds(portIds, (ids) => tx.select().from(rules).where(inArray(rules.targetPortId, ids)).orderBy(asc(rules.position), asc(rules.id)));
  const services = await inIds(routerIds, (ids) => tx.select().from(vpnServices).where(inArray(vpnServices.routerId, ids)));
  const conns = await inIds(services.map((s) => s.id), (ids) => tx.select().from(ipsecSiteConnections)
    .where(inArray(ipsecSiteConnections.vpnServiceId, ids)).orderBy(asc(ipsecSiteConnections.createdAt), asc(ipsecSiteConnections.id)));
  const ikes = await inIds(unique(conns.map((c) => c.ikePolicyId)), (ids) => tx.select().from(ikePolicies).where(inArray(ikePolicies.id, ids)));
  const ipsecs = await inIds(unique(conns.map((c) => c.ipsecPolicyId)), (ids) => tx.select().from(ipsecPolicies).where(inArray(ipsecPolicies.id, ids)));
  const eps: EndpointGroupLite[] = await inIds(unique(conns.flatMap((c) => [c.localEpGroupId, c.peerEpGroupId])), (ids) =>
    tx.select({ id: endpointGroups.id, type: endpointGroups.type, endpoints: endpointGroups.endpoints }).from(endpointGroups).where(inArray(endpointGroups.id, ids)));
  const subnetIds = unique([...services.map((s) => s.subnetId), ...eps.filter((g) => g.type === 'subnet').flatMap((g) => g.endpoints)]);
  const subnetCidrs = new Map((await inIds(subnetIds, (ids) => tx.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets).where(inArray(subnets.id, ids))))
    .map((s) => [s.id, s.cidr]));

  const portById = new Map(portRows.map((p) => [p.id, p]));
  const routerById = new Map(routerRows.map((r) => [r.id, r]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const epById = new Map(eps.map((g) => [g.id, g]));
  const ikeById = new Map(ikes.map((p) => [p.id, p]));
  const ipsecById = new Map(ipsecs.map((p) => [p.id, p]));
  const routesByPort = groupBy(routeRows, (r) => r.nextHopPortId);
  const rulesByPort = groupBy(ruleRows, (r) => r.targetPortId);

  const connsByRouter = new Map<string, ConnectionInput[]>();
  for (const row of conns) {
    const service = serviceById.get(row.vpnServiceId)!;
    const cidrs = resolveConnectionCidrs(row, service, epById, subnetCidrs);
    const psk = await secrets.decrypt(row.pskCiphertext).catch(() => undefined);
    const input: ConnectionInput = {
      row, serviceAdminStateUp: service.adminStateUp, localCidrs: cidrs.localCidrs, peerCidrs: cidrs.peerCidrs,
      ike: ikeById.get(row.ikePolicyId), ipsec: ipsecById.get(row.ipsecPolicyId), psk,
    };
    (connsByRouter.get(service.routerId) ?? connsByRouter.set(service.routerId, []).get(service.routerId)!).push(input);
  }

  const out = new Map<string, ContainerInput[]>(hostIds.map((h) => [h, []]));
  for (const c of boxes) {
    out.get(c.hostId!)!.push({
      container: c, port: portById.get(c.portId), router: routerById.get(c.configurationId),
      routes: routesByPort.get(c.portId) ?? [], rules: rulesByPort.get(c.portId) ?? [], connections: connsByRouter.get(c.configurationId) ?? [],
    });
  }
  return out;
}
