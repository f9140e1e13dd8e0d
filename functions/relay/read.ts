// Reads everything the desired documents of some hosts are built from, in one round trip for all of them
// (containers, ports, routers, routes, rules, VPN services, connections, policies, endpoint groups, subnets).
import { and, asc, inArray, sql } from 'drizzle-orm';
import { inOneTrip } from '../db/batch';
import type { Db } from '../db/client';
import type { SecretBox } from '../crypto';
import {
  containers, endpointGroups, ikePolicies, ipsecPolicies, ipsecSiteConnections, ports, routers, routes, rules, subnets, vpnServices,
} from '../db/schema';
import { resolveConnectionCidrs, type EndpointGroupLite } from '../translator/cidrs';
import type { ConnectionInput, ContainerInput } from './build';


function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) (m.get(key(x)) ?? m.set(key(x), []).get(key(x))!).push(x);
  return m;
}

/**
 * Everything the documents of these hosts are built from, as queries keyed on the host ids alone (what depends on
 * another table is a subquery), so they go to the database in ONE round trip (functions/db/batch.ts).
 */
function inputSteps(tx: Db, hostIds: string[]) {
  const onHosts = sql`${containers.hostId} IN (SELECT value FROM json_each(${JSON.stringify(hostIds)}))`;
  const portIds = tx.select({ id: containers.portId }).from(containers).where(onHosts);
  const routerIds = tx.select({ id: containers.configurationId }).from(containers).where(onHosts);
  const serviceIds = tx.select({ id: vpnServices.id }).from(vpnServices).where(inArray(vpnServices.routerId, routerIds));
  const connsOf = inArray(ipsecSiteConnections.vpnServiceId, serviceIds);
  const epIds = sql`(SELECT ${ipsecSiteConnections.localEpGroupId} FROM ${ipsecSiteConnections} WHERE ${connsOf}
    UNION SELECT ${ipsecSiteConnections.peerEpGroupId} FROM ${ipsecSiteConnections} WHERE ${connsOf})`;
  return [
    tx.select().from(containers).where(onHosts).orderBy(asc(containers.createdAt), asc(containers.id)),
    tx.select().from(ports).where(inArray(ports.id, portIds)),
    tx.select({ id: routers.id, gatewayFixedIps: routers.gatewayFixedIps }).from(routers).where(inArray(routers.id, routerIds)),
    tx.select().from(routes).where(and(inArray(routes.nextHopPortId, portIds), inArray(routes.origin, ['ipsec', 'vpn-link'])))
      .orderBy(asc(routes.createdAt), asc(routes.id)),
    tx.select().from(rules).where(inArray(rules.targetPortId, portIds)).orderBy(asc(rules.position), asc(rules.id)),
    tx.select().from(vpnServices).where(inArray(vpnServices.routerId, routerIds)),
    tx.select().from(ipsecSiteConnections).where(connsOf).orderBy(asc(ipsecSiteConnections.createdAt), asc(ipsecSiteConnections.id)),
    tx.select().from(ikePolicies).where(inArray(ikePolicies.id, tx.select({ id: ipsecSiteConnections.ikePolicyId }).from(ipsecSiteConnections).where(connsOf))),
    tx.select().from(ipsecPolicies).where(inArray(ipsecPolicies.id, tx.select({ id: ipsecSiteConnections.ipsecPolicyId }).from(ipsecSiteConnections).where(connsOf))),
    tx.select({ id: endpointGroups.id, type: endpointGroups.type, endpoints: endpointGroups.endpoints }).from(endpointGroups)
      .where(sql`${endpointGroups.id} IN ${epIds}`),
    // The services' subnets and the endpoints of the subnet groups their connections use.
    tx.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets).where(sql`${subnets.id} IN (
      SELECT ${vpnServices.subnetId} FROM ${vpnServices} WHERE ${inArray(vpnServices.routerId, routerIds)}
      UNION SELECT j.value FROM ${endpointGroups}, json_each(${endpointGroups.endpoints}) AS j
      WHERE ${endpointGroups.type} = 'subnet' AND ${endpointGroups.id} IN ${epIds})`),
  ] as const;
}

export async function readContainerInputs(tx: Db, hostIds: string[], secrets: Pick<SecretBox, 'decrypt'>): Promise<Map<string, ContainerInput[]>> {
  if (hostIds.length === 0) return new Map();
  const [boxes, portRows, routerRows, routeRows, ruleRows, services, conns, ikes, ipsecs, eps, subnetRows] = await inOneTrip(tx, inputSteps(tx, hostIds));
  const subnetCidrs = new Map(subnetRows.map((s) => [s.id, s.cidr]));

  const portById = new Map(portRows.map((p) => [p.id, p]));
  const routerById = new Map(routerRows.map((r) => [r.id, r]));
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const epById = new Map(eps.map((g) => [g.id, g]));
  const ikeById = new Map(ikes.map((p) => [p.id, p]));
  const ipsecById = new Map(ipsecs.map((p) => [p.id, p]));
  const routesByPort = groupBy(routeRows, (r) => r.nextHopPortId);
  const rulesByPort = groupBy(ruleRows, (r) => r.targetPortId);

  const servicesByRouter = groupBy(services, (s) => s.routerId);
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
      services: servicesByRouter.get(c.configurationId) ?? [],
    });
  }
  return out;
}
