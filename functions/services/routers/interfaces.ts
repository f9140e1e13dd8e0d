// add_router_interface / remove_router_interface: a router_interface port on the subnet's gateway address.
import { and, eq, inArray } from 'drizzle-orm';
import { badRequest, conflict, notFound } from '../../../shared/errors';
import { cidrsOverlap, parseCidr } from '../../../shared/model/net';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { endpointGroups, ipsecSiteConnections, ports, routerInterfaces, subnets, vpnServices } from '../../db/schema';
import type { Auth } from '../../http/env';
import { tenantFields } from '../../http/neutron';
import { syncRouter } from '../../translator/sync';
import { getOwnSubnetRow } from '../subnets/read';
import type { SubnetRow } from '../subnets/view';
import { getRouterRow } from './read';
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

/** Subnets the router already reaches: its interfaces and its gateway subnets. */
async function routerSubnets(tx: Db, router: RouterRow) {
  const ifaceIds = (await tx.select({ id: routerInterfaces.subnetId }).from(routerInterfaces).where(eq(routerInterfaces.routerId, router.id))).map((r) => r.id);
  const ids = [...new Set([...ifaceIds, ...router.gatewayFixedIps.map((f) => f.subnet_id)])];
  return ids.length ? tx.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets).where(inArray(subnets.id, ids)) : [];
}

export async function addRouterInterface(deps: Deps, auth: Auth, routerId: string, body: InterfaceBody) {
  const subnetId = subnetIdOf(body);
  return deps.database.write(async (tx) => {
    const router = await getRouterRow(tx, auth, routerId);
    const subnet = await getOwnSubnetRow(tx, auth, subnetId);
    if (!subnet.gatewayIp) throw badRequest(`Bad router request: subnet ${subnet.id} has no gateway IP.`, 'BadRequest');
    const [attached] = await tx.select({ routerId: routerInterfaces.routerId }).from(routerInterfaces).where(eq(routerInterfaces.subnetId, subnet.id));
    if (attached?.routerId === router.id) throw badRequest(`Bad router request: router ${router.id} already has a port on subnet ${subnet.id}.`, 'BadRequest');
    // The port takes the gateway address; another router already holding it would make two owners.
    if (attached) throw conflict(`Unable to complete operation for network ${subnet.networkId}. The IP address ${subnet.gatewayIp} is in use.`, 'IpAddressInUse');
    const clash = (await routerSubnets(tx, router)).find((s) => cidrsOverlap(s.cidr, subnet.cidr));
    if (clash) throw badRequest(`Bad router request: cidr ${subnet.cidr} of subnet ${subnet.id} overlaps with cidr ${clash.cidr} of subnet ${clash.id}.`, 'BadRequest');
    const portId = deps.ids.uuid();
    const now = deps.clock.now();
    await tx.insert(ports).values({
      id: portId, tenantId: router.tenantId, routerId: router.id, kind: 'router_interface', subnetId: subnet.id,
      address: subnet.gatewayIp, prefixLen: parseCidr(subnet.cidr)!.prefix, mac: deps.ids.mac(), createdAt: now,
    });
    await tx.insert(routerInterfaces).values({ portId, routerId: router.id, subnetId: subnet.id, tenantId: router.tenantId, createdAt: now });
    await syncRouter(tx, deps, router.id);
    return answer(router, subnet, portId);
  });
}

/** Why the router's VPN still needs this subnet (legacy subnet_id or a local endpoint group), if it does. */
async function vpnUseOf(tx: Db, routerId: string, subnetId: string): Promise<string | undefined> {
  const services = await tx.select({ id: vpnServices.id, subnetId: vpnServices.subnetId }).from(vpnServices).where(eq(vpnServices.routerId, routerId));
  const legacy = services.find((s) => s.subnetId === subnetId);
  if (legacy) return `VPN service ${legacy.id} uses it`;
  if (services.length === 0) return undefined;
  const conns = await tx.select({ id: ipsecSiteConnections.id, local: ipsecSiteConnections.localEpGroupId }).from(ipsecSiteConnections)
    .where(inArray(ipsecSiteConnections.vpnServiceId, services.map((s) => s.id)));
  const groupIds = [...new Set(conns.map((c) => c.local).filter((g): g is string => g !== null))];
  if (groupIds.length === 0) return undefined;
  const groups = await tx.select().from(endpointGroups).where(and(inArray(endpointGroups.id, groupIds), eq(endpointGroups.type, 'subnet')));
  const group = groups.find((g) => g.endpoints.includes(subnetId));
  if (!group) return undefined;
  const conn = conns.find((c) => c.local === group.id)!;
  return `endpoint group ${group.id} lists it as a local endpoint of IPsec site connection ${conn.id}`;
}

export async function removeRouterInterface(deps: Deps, auth: Auth, routerId: string, body: InterfaceBody) {
  const subnetId = subnetIdOf(body);
  return deps.database.write(async (tx) => {
    const router = await getRouterRow(tx, auth, routerId);
    const subnet = await getOwnSubnetRow(tx, auth, subnetId);
    const [iface] = await tx.select().from(routerInterfaces).where(and(eq(routerInterfaces.routerId, router.id), eq(routerInterfaces.subnetId, subnet.id)));
    if (!iface) throw notFound(`Router ${router.id} does not have an interface with subnet ${subnet.id}.`, 'RouterInterfaceNotFoundForSubnet');
    const use = await vpnUseOf(tx, router.id, subnet.id);
    if (use) throw conflict(`Subnet ${subnet.id} is used by the VPN of router ${router.id} (${use}); remove that first.`, 'RouterInterfaceInUseByVPNService');
    await tx.delete(routerInterfaces).where(eq(routerInterfaces.portId, iface.portId));
    await tx.delete(ports).where(eq(ports.id, iface.portId));
    await syncRouter(tx, deps, router.id);
    return answer(router, subnet, iface.portId);
  });
}
