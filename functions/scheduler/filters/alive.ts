// Filter: only hosts whose agent is alive take containers.
import type { FilterContext, SchedHost } from '../types';

export const name = 'alive';
export const scope = 'host';
export const kind = 'hard';
export const reason = 'host is not alive';

export function filter(host: SchedHost, _ctx: FilterContext): boolean {
  return host.alive;
}
