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
  const g = groupsPart(groups);
  if (g !== '') parts.push(g); // the same text as when hosts and groups were one list
  return parts.join(';');
}

// The groups' part depends on the groups alone (no time): remembered per groups object. The controller's parse
// memo (snapshot.ts, FleetParser) hands the same object to every step until a container or group changes.
const groupsParts = new WeakMap<object, string>();

function groupsPart(groups: Readonly<Record<string, SchedGroup>>): string {
  const known = groupsParts.get(groups);
  if (known !== undefined) return known;
  const parts: string[] = [];
  for (const g of Object.values(groups).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    // Affinity sets (a port bound somewhere new) and anti-affinity occupancy (a sibling moved away) matter too.
    const occupied = g.antiAffinity ? [...new Set(Object.values(g.containerHosts).filter((x) => x !== null))].sort() : [];
    const set = (ids: readonly string[] | null) => (ids === null ? '*' : [...ids].sort().join(','));
    parts.push(`${g.id}|${set(g.hostGroupHostIds)}|${set(g.portGroupHostIds)}|${occupied.join(',')}`);
  }
  const text = parts.join(';');
  groupsParts.set(groups, text);
  return text;
}

/**
 * A short, stable hash of a fingerprint (53 bits, cyrb53): the lease row keeps this instead of the text, which
 * grows with the fleet. Equality is all it is used for; a collision only skips one wake-up of DOWN containers.
 */
export function fingerprintHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
