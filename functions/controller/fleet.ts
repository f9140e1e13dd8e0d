// The fleet's fingerprint: what about the hosts and groups can make a host fit a container that fit nowhere.
// The tick loop compares it between ticks and passes fleetChangedAt = now when it changed, which wakes DOWN
// containers whose retries ran out ("resume on the next event"). Heartbeats alone do not change it.
import type { SchedGroup } from '../scheduler/types';
import { isSilent } from './plan';
import type { PlanHost, Timers } from './types';

export function fleetFingerprint(hosts: readonly PlanHost[], groups: Readonly<Record<string, SchedGroup>>, now: number, t: Timers): string {
  const parts: string[] = [];
  for (const h of [...hosts].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const fit = h.alive && !isSilent(h, now, t) && (h.badUntil === null || h.badUntil <= now);
    const full = h.enforceContainerLimit && h.containerLimit >= 0 && h.containerCount >= h.containerLimit;
    parts.push([h.id, fit ? 1 : 0, h.containerWeight, h.containerLimit, h.enforceContainerLimit ? 1 : 0, full ? 1 : 0, h.cordoned ? 1 : 0].join(':'));
  }
  for (const g of Object.values(groups).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    // Affinity sets (a port bound somewhere new) and anti-affinity occupancy (a sibling moved away) matter too.
    const occupied = g.antiAffinity ? [...new Set(Object.values(g.containerHosts).filter((x) => x !== null))].sort() : [];
    const set = (ids: readonly string[] | null) => (ids === null ? '*' : [...ids].sort().join(','));
    parts.push(`${g.id}|${set(g.hostGroupHostIds)}|${set(g.portGroupHostIds)}|${occupied.join(',')}`);
  }
  return parts.join(';');
}
