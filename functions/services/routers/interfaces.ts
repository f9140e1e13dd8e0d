// add_router_interface / remove_router_interface: a router_interface port on the subnet's gateway address.
import { and, eq, sql } from 'drizzle-orm';
import { badRequest, conflict, notFound } from '../../../shared/errors';
import { cidrsOverlap, parseCidr } from '../../../shared/model/net';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { inOneTrip, type TripResults } from '../../db/batch';
import { byId } from '../../db/prepared';
import { endpointGroups, ipsecSiteConnections, ports, routerInterfaces, routers, subnets, vpnServices } from '../../db/schema';
import type { Auth } from '../../http/env';
import { tenantFields } from '../../http/neutron';
import { syncRouterWith } from '../../translator/sync';
import { visibleOwnSubnet } from '../subnets/read';
import type { SubnetRow } from '../subnets/view';
import { visibleRouter } from './read';
import type { InterfaceBody } from './schemas';
import type { RouterRow } from './view';

function subnetIdOf(body: InterfaceBody): string {
  if (body.port_id !== undefined) throw badRequest('Bad request: only subnet_id is supported; berth creates the router port itself', 'BadRequest');
  if (body.subnet_id === undefined) throw badRequest('Bad request: subnet_id is required', 'BadRequest');
  return body.subnet_id;
}

const answer = (router: RouterRow, subnet: SubnetRow, portId: string) => ({
  id: router.id, subnet_id: subnet.id, subnet_ids: [subnet.id], port_id: portId, network_id: subnet.networkId, ...tenantFields(router.tenantId),
});

// Every read of a verb is keyed on the ids the request names (what depends on another row is a subquery), so it
// is ONE round trip (functions/db/batch.ts); the judgements stay in JS, in the order the API always answered.

/** Subnets the router already reaches: its interfaces and its gateway subnets. */
const routerSubnetsStep = (tx: Db, routerId: string) => tx.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets).where(sql`${subnets.id} IN (
  SELECT ${routerInterfaces.subnetId} FROM ${routerInterfaces} WHERE ${routerInterfaces.routerId} = ${routerId}
  UNION SELECT json_extract(j.value, '$.subnet_id') FROM ${routers}, json_each(${routers.gatewayFixedIps}) AS j WHERE ${routers.id} = ${routerId})`);

export async function addRouterInterface(deps: Deps, auth: Auth, routerId: string, body: InterfaceBody) {
  const subnetId = subnetIdOf(body);
  return deps.database.write(async (tx) => {
    // One round trip for the reads …
    const [[routerRow], [subnetRow], [attached], reached] = await inOneTrip(tx, [
      byId(tx, routers, routerId), byId(tx, subnets, subnetId),
      tx.select({ routerId: routerInterfaces.routerId }).from(routerInterfaces).where(eq(routerInterfaces.subnetId, subnetId)),
      routerSubnetsStep(tx, routerId),
    ]);
    const router = visibleRouter(auth, routerRow, routerId);
    const subnet = visibleOwnSubnet(auth, subnetRow, subnetId);
    if (!subnet.gatewayIp) throw badRequest(`Bad router request: subnet ${subnet.id} has no gateway IP.`, 'BadRequest');
    if (attached?.routerId === router.id) throw badRequest(`Bad router request: router ${router.id} already has a port on subnet ${subnet.id}.`, 'BadRequest');
    // The port takes the gateway address; another router already holding it would make two owners.
    if (attached) throw conflict(`Unable to complete operation for network ${subnet.networkId}. The IP address ${subnet.gatewayIp} is in use.`, 'IpAddressInUse');
    const clash = reached.find((s) => cidrsOverlap(s.cidr, subnet.cidr));
    if (clash) throw badRequest(`Bad router request: cidr ${subnet.cidr} of subnet ${subnet.id} overlaps with cidr ${clash.cidr} of subnet ${clash.id}.`, 'BadRequest');
    const portId = deps.ids.uuid();
    const now = deps.clock.now();
    // … the INSERTs ride with the router's snapshot, then its southbound writes (then the COMMIT).
    await syncRouterWith(tx, deps, router.id, {
      before: [
        tx.insert(ports).values({
          id: portId, tenantId: router.tenantId, routerId: router.id, kind: 'router_interface', subnetId: subnet.id,
          address: subnet.gatewayIp, prefixLen: parseCidr(subnet.cidr)!.prefix, mac: deps.ids.mac(), createdAt: now,
        }),
        tx.insert(routerInterfaces).values({ portId, routerId: router.id, subnetId: subnet.id, tenantId: router.tenantId, createdAt: now }),
      ],
      after: [],
    });
    return answer(router, subnet, portId);
  });
}

/** The router's VPN services, the local endpoint groups of their connections, and those connections. */
function vpnUseSteps(tx: Db, routerId: string) {
  const servicesOfRouter = sql`(SELECT ${vpnServices.id} FROM ${vpnServices} WHERE ${vpnServices.routerId} = ${routerId})`;
  return [
    tx.select({ id: vpnServices.id, subnetId: vpnServices.subnetId }).from(vpnServices).where(eq(vpnServices.routerId, routerId)),
    tx.select({ id: ipsecSiteConnections.id, local: ipsecSiteConnections.localEpGroupId }).from(ipsecSiteConnections)
      .where(sql`${ipsecSiteConnections.vpnServiceId} IN ${servicesOfRouter}`),
    tx.select().from(endpointGroups).where(and(eq(endpointGroups.type, 'subnet'), sql`${endpointGroups.id} IN (
      SELECT ${ipsecSiteConnections.localEpGroupId} FROM ${ipsecSiteConnections} WHERE ${ipsecSiteConnections.vpnServiceId} IN ${servicesOfRouter})`)),
  ] as const;
}

type VpnUseRows = TripResults<ReturnType<typeof vpnUseSteps>>;

/** Why the router's VPN still needs this subnet (legacy subnet_id or a local endpoint group), if it does. */
function vpnUseOf([services, conns, groups]: VpnUseRows, subnetId: string): string | undefined {
  const legacy = services.find((s) => s.subnetId === subnetId);
  if (legacy) return `VPN service ${legacy.id} uses it`;
  const group = groups.find((g) => g.endpoints.includes(subnetId));
  if (!group) return undefined;
  const conn = conns.find((c) => c.local === group.id)!;
  return `endpoint group ${group.id} lists it as a local endpoint of IPsec site connection ${conn.id}`;
}

export async function removeRouterInterface(deps: Deps, auth: Auth, routerId: string, body: InterfaceBody) {
  const subnetId = subnetIdOf(body);
  return deps.database.write(async (tx) => {
    // One round trip for the reads …
    const [[routerRow], [subnetRow], [iface], ...use] = await inOneTrip(tx, [
      byId(tx, routers, routerId), byId(tx, subnets, subnetId),
      tx.select().from(routerInterfaces).where(and(eq(routerInterfaces.routerId, routerId), eq(routerInterfaces.subnetId, subnetId))),
      ...vpnUseSteps(tx, routerId),
    ]);
    const router = visibleRouter(auth, routerRow, routerId);
    const subnet = visibleOwnSubnet(auth, subnetRow, subnetId);
    if (!iface) throw notFound(`Router ${router.id} does not have an interface with subnet ${subnet.id}.`, 'RouterInterfaceNotFoundForSubnet');
    const inUse = vpnUseOf(use as unknown as VpnUseRows, subnet.id);
    if (inUse) throw conflict(`Subnet ${subnet.id} is used by the VPN of router ${router.id} (${inUse}); remove that first.`, 'RouterInterfaceInUseByVPNService');
    // … the DELETEs ride with the router's snapshot, then its southbound writes (then the COMMIT).
    await syncRouterWith(tx, deps, router.id, {
      before: [tx.delete(routerInterfaces).where(eq(routerInterfaces.portId, iface.portId)), tx.delete(ports).where(eq(ports.id, iface.portId))],
      after: [],
    });
    return answer(router, subnet, iface.portId);
  });
}
