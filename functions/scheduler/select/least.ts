// Selection `least`: the eligible host with the fewest containers (the counts include placements made earlier
// in the same pass); ties go to the higher container_weight, then the smaller id, so the pick is deterministic.
import type { SchedHost, Selector } from '../types';

export function better(a: SchedHost, b: SchedHost): boolean {
  if (a.containerCount !== b.containerCount) return a.containerCount < b.containerCount;
  if (a.containerWeight !== b.containerWeight) return a.containerWeight > b.containerWeight;
  return a.id < b.id;
}

export const least: Selector = {
  name: 'least',
  select(candidates) {
    let best = candidates[0] as SchedHost;
    for (const h of candidates) if (better(h, best)) best = h;
    return best;
  },
};
