// Filter: a cordoned host (being drained or under maintenance) takes no new containers; its own stay.
import type { FilterContext, SchedHost } from '../types';

export const name = 'not-cordoned';
export const scope = 'host';
export const kind = 'hard';
export const reason = 'host is cordoned';

export function filter(host: SchedHost, _ctx: FilterContext): boolean {
  return !host.cordoned;
}
