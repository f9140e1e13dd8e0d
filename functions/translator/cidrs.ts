// Resolving a connection's local and peer CIDRs from Neutron's two modes, and the route pairs they make (pure).
import { cidrVersion, parseCidr } from '../../shared/model/net';
import type { ConnectionCidrs } from './types';

export interface EndpointGroupLite { id: string; type: string; endpoints: string[] }
export interface ConnectionLite { id: string; peerAddress: string; peerCidrs: string[]; localEpGroupId: string | null; peerEpGroupId: string | null }

/** "2001:DB8::/32" → "2001:db8::/32"; undefined for anything that is not a network CIDR. */
export function canonicalCidr(s: string): string | undefined {
  const p = parseCidr(s);
  return p ? `${p.address}/${p.prefix}` : undefined;
}

function uniqueCanonical(list: readonly (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const c of list) {
    const k = c === undefined ? undefined : canonicalCidr(c);
    if (k) out.add(k);
  }
  return [...out];
}

function endpointCidrs(group: EndpointGroupLite | undefined, subnetCidrs: ReadonlyMap<string, string>): (string | undefined)[] {
  if (!group) return [];
  return group.type === 'subnet' ? group.endpoints.map((id) => subnetCidrs.get(id)) : group.endpoints;
}

/**
 * Legacy mode (the VPN service names a subnet): local = that subnet's CIDR, peer = peer_cidrs. Endpoint-group
 * mode: local = the CIDRs of the subnets in local_ep_group (or its CIDRs, for a cidr group), peer = the peer
 * group's endpoints. Missing subnets/groups contribute nothing; the API validates them before we get here.
 */
export function resolveConnectionCidrs(
  conn: ConnectionLite,
  service: { subnetId: string | null },
  groups: ReadonlyMap<string, EndpointGroupLite>,
  subnetCidrs: ReadonlyMap<string, string>,
): ConnectionCidrs {
  const local = service.subnetId !== null
    ? [subnetCidrs.get(service.subnetId)]
    : endpointCidrs(conn.localEpGroupId ? groups.get(conn.localEpGroupId) : undefined, subnetCidrs);
  const peer = conn.peerCidrs.length > 0
    ? conn.peerCidrs
    : endpointCidrs(conn.peerEpGroupId ? groups.get(conn.peerEpGroupId) : undefined, subnetCidrs);
  return { id: conn.id, peerAddress: conn.peerAddress, localCidrs: uniqueCanonical(local), peerCidrs: uniqueCanonical(peer) };
}

/** Every (local, peer) pair of the same IP version: one route each. */
export function routePairs(localCidrs: readonly string[], peerCidrs: readonly string[]): [string, string][] {
  return localCidrs.flatMap((l) => peerCidrs.filter((p) => cidrVersion(p) === cidrVersion(l)).map((p): [string, string] => [l, p]));
}
