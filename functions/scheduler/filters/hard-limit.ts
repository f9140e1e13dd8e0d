// Filter: with enforce_container_limit a host at its container_limit is never chosen (its agent would refuse
// the container with LIMIT_EXCEEDED anyway). The limit -1 means none.
import type { FilterContext, SchedHost } from '../types';

export const name = 'hard-limit';
export const scope = 'placement';
export const kind = 'hard';
export const reason = 'host is at its hard container limit';

export function filter(host: SchedHost, _ctx: FilterContext): boolean {
  return !(host.enforceContainerLimit && host.containerLimit >= 0 && host.containerCount >= host.containerLimit);
}
