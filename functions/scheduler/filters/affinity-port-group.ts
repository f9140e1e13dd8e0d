// Filter: a group with a port group runs only where a port of that group is bound (fate-sharing: the container
// lives and dies with those ports' host); without one, anywhere. No bound port at all = no host fits.
import type { FilterContext, SchedHost } from '../types';

export const name = 'affinity-port-group';
export const scope = 'placement';
export const kind = 'hard';
export const reason = "no port of the container group's port group is bound here";

export function filter(host: SchedHost, ctx: FilterContext): boolean {
  return ctx.portGroup === null || ctx.portGroup.has(host.id);
}
