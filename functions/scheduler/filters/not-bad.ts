// Filter: a host the controller marked bad (a container failed there) takes nothing until the mark ends.
import type { FilterContext, SchedHost } from '../types';

export const name = 'not-bad';
export const scope = 'host';
export const kind = 'hard';
export const reason = 'host is marked bad after a container failed there';

export function filter(host: SchedHost, ctx: FilterContext): boolean {
  return host.badUntil === null || host.badUntil <= ctx.now;
}
