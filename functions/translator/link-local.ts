// Link allocation for a router's VPN service port (pure): the IPv4 link-local /30 and the IPv6 unique-local /127.
import { addressOffset, canonicalIp, cidrContains, cidrSpan, cidrsOverlap } from '../../shared/model/net';

export const LINK_LOCAL_POOL = '169.254.0.0/16';

export interface LinkLocalSlot {
  /** e.g. 169.254.0.4/30 */
  cidr: string;
  /** .1 of the /30: the router side (the service port's address). */
  routerAddress: string;
  /** .2 of the /30: the container side (next hop of the VPN routes). */
  containerAddress: string;
}

/**
 * The first /30 of 169.254.0.0/16 that overlaps none of usedCidrs (address/prefix strings; host bits may be
 * set, other families are ignored), or undefined when every /30 is taken. A sweep over the used ranges sorted
 * by start, so the cost grows with the number of used CIDRs, not with the 16384 slots.
 */
export function allocateLinkLocal(usedCidrs: readonly string[]): LinkLocalSlot | undefined {
  const pool = cidrSpan(LINK_LOCAL_POOL);
  const used = usedCidrs.filter((c) => cidrsOverlap(c, LINK_LOCAL_POOL)).map(cidrSpan).sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let candidate = pool.first;
  for (const u of used) {
    if (u.last < candidate) continue;
    if (u.first > candidate + 3n) break;
    // Overlaps the candidate: the next candidate is the first /30 boundary after this range.
    candidate = ((u.last + 1n + 3n) / 4n) * 4n;
  }
  if (candidate + 3n > pool.last) return undefined;
  const base = addressOffset('169.254.0.0', Number(candidate - pool.first))!;
  return { cidr: `${base}/30`, routerAddress: addressOffset(base, 1)!, containerAddress: addressOffset(base, 2)! };
}

/**
 * berth's unique-local /48 for the IPv6 side of service links: fd62:6572:7468 is "berth" in ASCII. These
 * addresses never leave the link between a router and its container, so a well-known prefix is enough, and an
 * operator recognises them in a route table (docs/decisions.md, issue 13).
 */
export const LINK_V6_POOL = 'fd62:6572:7468::/48';

export interface LinkV6Slot {
  /** e.g. fd62:6572:7468:1234:5678:9abc:def0:1230/127 */
  cidr: string;
  /** The even address of the /127: the router side (and the network address of the pair). */
  routerAddress: string;
  /** The odd address: the container side (next hop of the IPv6 VPN routes). */
  containerAddress: string;
}

/** A /127 pair (RFC 6164) given its router-side (even) address. */
export function linkV6Slot(routerAddress: string): LinkV6Slot {
  return { cidr: `${routerAddress}/127`, routerAddress, containerAddress: addressOffset(routerAddress, 1)! };
}

/**
 * The IPv6 /127 of a service port: the 80 bits below berth's /48 are the last 20 hex digits of the port id (a
 * random UUIDv4: 77 random bits once the low bit is cleared), so two routers' containers get different links
 * without a fleet-wide search. A pair that overlaps one of usedCidrs (a tenant subnet inside berth's /48) moves
 * up by one pair until it is free; undefined only when the id's whole neighbourhood is taken.
 */
export function allocateLinkV6(portId: string, usedCidrs: readonly string[]): LinkV6Slot | undefined {
  const digits = portId.replace(/[^0-9a-f]/gi, '').toLowerCase().slice(-20).padStart(20, '0');
  const groups = [digits.slice(0, 4), digits.slice(4, 8), digits.slice(8, 12), digits.slice(12, 16), digits.slice(16, 20)];
  const low = (parseInt(groups[4], 16) & 0xfffe).toString(16);
  let router = canonicalIp(`fd62:6572:7468:${groups.slice(0, 4).join(':')}:${low}`);
  for (let i = 0; i < 64; i++) {
    const slot = linkV6Slot(router);
    if (!usedCidrs.some((c) => cidrsOverlap(c, slot.cidr))) return slot;
    const next = addressOffset(router, 2);
    if (!next || !cidrContains(LINK_V6_POOL, next)) return undefined;
    router = next;
  }
  return undefined;
}
