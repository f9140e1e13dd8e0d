// The interim placement rule (until the scheduler issue replaces it): any live host, the one with the fewest
// containers. Pure: the caller passes host rows and container counts, and updates the counts as it places.

export interface PlacementHost {
  id: string;
  alive: boolean;
  cordoned: boolean;
  containerWeight: number;
  /** -1 = no limit */
  containerLimit: number;
  enforceContainerLimit: boolean;
}

/** Why a host cannot take a container now; null when it can. */
export function ineligible(h: PlacementHost, count: number): string | null {
  if (!h.alive) return 'host is not alive';
  if (h.cordoned) return 'host is cordoned';
  if (h.containerWeight <= 0) return 'container weight is 0';
  // A hard limit is never exceeded: the agent would refuse the container with LIMIT_EXCEEDED anyway.
  if (h.enforceContainerLimit && h.containerLimit >= 0 && count >= h.containerLimit) return `at its hard container limit ${h.containerLimit}`;
  return null;
}

/**
 * The eligible host with the fewest containers; ties go to the higher weight, then the smaller id (so the choice
 * is replayable). undefined when no host is eligible.
 */
export function pickHost(hosts: readonly PlacementHost[], counts: ReadonlyMap<string, number>): PlacementHost | undefined {
  let best: PlacementHost | undefined;
  let bestCount = Infinity;
  for (const h of hosts) {
    const n = counts.get(h.id) ?? 0;
    if (ineligible(h, n) !== null) continue;
    const better = n < bestCount
      || (n === bestCount && (h.containerWeight > best!.containerWeight || (h.containerWeight === best!.containerWeight && h.id < best!.id)));
    if (better) {
      best = h;
      bestCount = n;
    }
  }
  return best;
}
