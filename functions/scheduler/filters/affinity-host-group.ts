// Filter: a group with a host group runs only on that group's member hosts; without one, anywhere.
import type { FilterContext, SchedHost } from '../types';

export const name = 'affinity-host-group';
export const scope = 'placement';
export const kind = 'hard';
export const reason = "not a member of the container group's host group";

export function filter(host: SchedHost, ctx: FilterContext): boolean {
  return ctx.hostGroup === null || ctx.hostGroup.has(host.id);
}
