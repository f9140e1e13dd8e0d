// A router's external gateway: which network, which fixed IPs. planGatewayIps is the pure rule; resolveGateway
// gathers what it needs (the network, its subnets, addresses other routers hold) inside the caller's transaction,
// in one round trip.
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { badRequest, conflict, notFound } from '../../../shared/errors';
import { canonicalIp, cidrContains, firstFreeHost, isHostAddress } from '../../../shared/model/net';
import type { Db } from '../../db/client';
import { inOneTrip, type Step, type TripResults } from '../../db/batch';
import { networks, ports, routers, subnets, type GatewayFixedIp } from '../../db/schema';
import { canSee } from '../../http/auth';
import type { Auth } from '../../http/env';
import type { GatewayInfo } from './schemas';

export interface Gateway { networkId: string | null; fixedIps: GatewayFixedIp[] }
export interface GatewaySubnet { id: string; cidr: string; gatewayIp: string | null }
export interface FixedIpRequest { subnet_id?: string; ip_address?: string }

export const noGateway: Gateway = { networkId: null, fixedIps: [] };

/**
 * The fixed IPs for a gateway on a network. subnets: the network's subnets, oldest first; used: canonical
 * addresses held by others (other routers' gateways, router ports). Nothing requested: the first free host of
 * the first subnet. Each request names a subnet (allocate there), an address (its subnet is found), or both.
 */
export function planGatewayIps(networkId: string, gatewaySubnets: GatewaySubnet[], used: ReadonlySet<string>, requested: FixedIpRequest[]): GatewayFixedIp[] {
  const taken = new Set(used);
  for (const s of gatewaySubnets) if (s.gatewayIp) taken.add(s.gatewayIp);
  const allocate = (s: GatewaySubnet): GatewayFixedIp => {
    const ip = firstFreeHost(s.cidr, taken);
    if (!ip) throw conflict(`No more IP addresses available on subnet ${s.id} of network ${networkId}.`, 'IpAddressGenerationFailure');
    taken.add(ip);
    return { subnet_id: s.id, ip_address: ip };
  };
  if (requested.length === 0) {
    if (gatewaySubnets.length === 0) throw badRequest(`Bad router request: network ${networkId} has no subnet to take a gateway address from.`, 'BadRequest');
    return [allocate(gatewaySubnets[0])];
  }
  return requested.map((req) => {
    const ip = req.ip_address === undefined ? undefined : canonicalIp(req.ip_address);
    const subnet = req.subnet_id !== undefined
      ? gatewaySubnets.find((s) => s.id === req.subnet_id)
      : ip !== undefined ? gatewaySubnets.find((s) => cidrContains(s.cidr, ip)) : undefined;
    if (req.subnet_id === undefined && ip === undefined) throw badRequest('Invalid input: each external_fixed_ips entry needs subnet_id or ip_address', 'InvalidInput');
    if (!subnet) {
      throw badRequest(req.subnet_id !== undefined
        ? `Invalid input: subnet ${req.subnet_id} is not a subnet of external network ${networkId}`
        : `Invalid input: ip_address ${ip} is in no subnet of external network ${networkId}`, 'InvalidInput');
    }
    if (ip === undefined) return allocate(subnet);
    if (!isHostAddress(subnet.cidr, ip)) throw badRequest(`IP address ${ip} is not a valid IP for subnet ${subnet.id} (${subnet.cidr}): not one of its usable host addresses.`, 'InvalidIpForSubnet');
    if (taken.has(ip)) throw conflict(`Unable to complete operation for network ${networkId}. The IP address ${ip} is in use.`, 'IpAddressAlreadyAllocated');
    taken.add(ip);
    return { subnet_id: subnet.id, ip_address: ip };
  });
}

/** The rows a gateway on networkId is judged on, as queries for one trip (functions/db/batch.ts). */
function gatewaySteps(tx: Db, networkId: string, routerId: string) {
  return [
    tx.select().from(networks).where(eq(networks.id, networkId)).limit(1),
    tx.select({ id: subnets.id, cidr: subnets.cidr, gatewayIp: subnets.gatewayIp }).from(subnets)
      .where(eq(subnets.networkId, networkId)).orderBy(asc(subnets.createdAt), asc(subnets.id)),
    // Addresses on the network held by anything but this router's gateway: other gateways and router ports.
    tx.select({ fixedIps: routers.gatewayFixedIps }).from(routers).where(and(eq(routers.gatewayNetworkId, networkId), ne(routers.id, routerId))),
    tx.select({ address: ports.address }).from(ports)
      .where(inArray(ports.subnetId, tx.select({ id: subnets.id }).from(subnets).where(eq(subnets.networkId, networkId)))),
  ] as const;
}

/**
 * Reads, in one round trip with `first` (results as `first`), what the gateway from external_gateway_info needs;
 * `gateway(current)` then judges it (null or {} clears; the same network keeps its IPs) — after the caller has
 * judged `first`, so errors come in the order the API always gave them.
 */
export async function readGateway<const F extends readonly Step[] = []>(tx: Db, auth: Auth, info: GatewayInfo, routerId: string, first?: F) {
  const pre = first ?? ([] as unknown as F);
  const networkId = info?.network_id;
  const results = await inOneTrip(tx, [...pre, ...(networkId === undefined ? [] : gatewaySteps(tx, networkId, routerId))]);
  const gateway = (current: Gateway): Gateway => {
    if (info === null || networkId === undefined) {
      if (info && (info.external_fixed_ips?.length || info.enable_snat !== undefined)) {
        throw badRequest('Invalid input: external_gateway_info.network_id is required unless the gateway is cleared with {}', 'InvalidInput');
      }
      return noGateway;
    }
    const [[net], gatewaySubnets, others, held] = results.slice(pre.length) as unknown as TripResults<ReturnType<typeof gatewaySteps>>;
    if (!net || (!net.routerExternal && !canSee(auth, net.tenantId))) throw notFound(`Network ${networkId} could not be found.`, 'NetworkNotFound');
    if (!net.routerExternal) throw badRequest(`Bad router request: network ${networkId} is not an external network.`, 'BadRequest');
    const requested = info.external_fixed_ips ?? [];
    if (requested.length === 0 && current.networkId === networkId && current.fixedIps.length > 0) return current;
    const used = new Set([...others.flatMap((r) => r.fixedIps.map((f) => f.ip_address)), ...held.map((p) => p.address)]);
    return { networkId, fixedIps: planGatewayIps(networkId, gatewaySubnets, used, requested) };
  };
  return { gateway, first: results.slice(0, pre.length) as unknown as TripResults<F> };
}

/** The gateway a router gets from external_gateway_info (null or {} clears; the same network keeps its IPs). */
export async function resolveGateway(tx: Db, auth: Auth, info: GatewayInfo, routerId: string, current: Gateway): Promise<Gateway> {
  return (await readGateway(tx, auth, info, routerId)).gateway(current);
}
