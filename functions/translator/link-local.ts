// Link-local /30 allocation for a router's VPN service port (pure).
import { addressOffset, cidrSpan, cidrsOverlap } from '../../shared/model/net';

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
