// Soft filter: without enforce_container_limit, hosts under their container_limit are preferred; a host at or
// over it is chosen only when no other host fits. The limit -1 means none.
import type { FilterContext, SchedHost } from '../types';

export const name = 'soft-limit';
export const scope = 'placement';
export const kind = 'soft';
export const reason = 'host is at its soft container limit and other hosts fit';

export function filter(host: SchedHost, _ctx: FilterContext): boolean {
  return host.enforceContainerLimit || host.containerLimit < 0 || host.containerCount < host.containerLimit;
}
