// Filter: in an anti-affinity group no two containers share a host (the container being placed does not count
// against the host it leaves).
import type { FilterContext, SchedHost } from '../types';

export const name = 'anti-affinity';
export const scope = 'placement';
export const kind = 'hard';
export const reason = 'another container of the group is placed here (anti-affinity)';

export function filter(host: SchedHost, ctx: FilterContext): boolean {
  return !ctx.group.antiAffinity || !ctx.groupHosts.has(host.id);
}
