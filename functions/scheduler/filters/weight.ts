// Filter: container_weight 0 means "take no containers" (the operator's off switch, as in MidoNet).
import type { FilterContext, SchedHost } from '../types';

export const name = 'weight';
export const scope = 'host';
export const kind = 'hard';
export const reason = 'container weight is 0';

export function filter(host: SchedHost, _ctx: FilterContext): boolean {
  return host.containerWeight > 0;
}
