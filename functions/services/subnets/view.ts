// Subnet rows as Neutron shows them, with the allocation pools implied by cidr and gateway_ip.
import type { subnets } from '../../db/schema';
import { isoOrNull, tenantFields } from '../../http/neutron';
import { addressOffset, hostRange, isHostAddress } from '../../../shared/model/net';

export type SubnetRow = typeof subnets.$inferSelect;

export interface Pool { start: string; end: string }

/** Neutron's default pools: the usable host range of cidr with the gateway address cut out. */
export function allocationPools(cidr: string, gatewayIp: string | null): Pool[] {
  const { first, last } = hostRange(cidr);
  if (!gatewayIp || !isHostAddress(cidr, gatewayIp)) return [{ start: first, end: last }];
  const pools: Pool[] = [];
  if (gatewayIp !== first) pools.push({ start: first, end: addressOffset(gatewayIp, -1)! });
  if (gatewayIp !== last) pools.push({ start: addressOffset(gatewayIp, 1)!, end: last });
  return pools;
}

export const subnetView = (s: SubnetRow) => ({
  id: s.id,
  name: s.name,
  description: s.description,
  ...tenantFields(s.tenantId),
  network_id: s.networkId,
  cidr: s.cidr,
  ip_version: s.ipVersion,
  gateway_ip: s.gatewayIp,
  allocation_pools: allocationPools(s.cidr, s.gatewayIp),
  enable_dhcp: false,
  dns_nameservers: [] as string[],
  host_routes: [] as unknown[],
  ipv6_ra_mode: null,
  ipv6_address_mode: null,
  subnetpool_id: null,
  created_at: isoOrNull(s.createdAt),
  updated_at: isoOrNull(s.updatedAt),
});
