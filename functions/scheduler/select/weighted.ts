// Selection `weighted`: a random eligible host, with probability proportional to its container_weight. The
// candidates arrive in id order (schedule sorts the hosts), so the pick depends only on the hosts and the PRNG.
import type { SchedHost, Selector } from '../types';

export const weighted: Selector = {
  name: 'weighted',
  select(candidates, rng) {
    let total = 0;
    for (const h of candidates) total += h.containerWeight;
    let r = rng() * total;
    for (const h of candidates) {
      r -= h.containerWeight;
      if (r < 0) return h;
    }
    // Only reached through floating-point rounding at the very top of the range.
    return candidates[candidates.length - 1] as SchedHost;
  },
};
