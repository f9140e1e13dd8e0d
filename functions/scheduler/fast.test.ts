// The pass index must decide exactly as the per-host walk: random fleets (limits hard and soft, anti-affinity,
// host groups, dead hosts, both policies), the same pass with and without it, compared byte for byte.
import { describe, expect, it } from 'vitest';
import { FILTERS } from './filters';
import { PassIndex } from './fast';
import { seededRandom } from './select/prng';
import { schedulePass } from './schedule';
import { group, host } from './test-fixtures';
import type { SchedContainer, SchedGroup, SchedHost } from './types';

function fleet(seed: string) {
  const rnd = seededRandom(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const hosts: SchedHost[] = Array.from({ length: 1 + int(60) }, (_, i) => host(`h${String(i).padStart(3, '0')}`, {
    alive: rnd() > 0.1, containerWeight: int(5), containerCount: int(6),
    containerLimit: rnd() < 0.3 ? int(6) : -1, enforceContainerLimit: rnd() < 0.5,
  }));
  const groups: Record<string, SchedGroup> = {};
  const containers: SchedContainer[] = [];
  for (let g = 0; g < 1 + int(8); g++) {
    const id = `g${g}`;
    const members = Array.from({ length: 1 + int(12) }, (_, k) => `${id}-c${k}`);
    const containerHosts: Record<string, string | null> = {};
    for (const m of members) containerHosts[m] = rnd() < 0.3 ? hosts[int(hosts.length)].id : null;
    groups[id] = group({
      id, policy: rnd() < 0.5 ? 'weighted' : 'least', antiAffinity: rnd() < 0.4, containerHosts,
      hostGroupHostIds: rnd() < 0.15 ? hosts.filter(() => rnd() < 0.3).map((h) => h.id) : null,
    });
    for (const m of members) containers.push({ id: m, groupId: id, hostId: containerHosts[m], placementGeneration: int(3) });
  }
  return { hosts, groups, containers };
}

describe('schedulePass with the pass index', () => {
  it('serves only the default chain, plugin for plugin', () => {
    expect(PassIndex.covers(FILTERS)).toBe(true);
    expect(PassIndex.covers(FILTERS.map((x) => ({ ...x })))).toBe(false);
    expect(PassIndex.covers([...FILTERS, { ...FILTERS[0], name: 'extra' }])).toBe(false);
  });

  it('makes the same decisions, summaries and counts as the per-host walk', () => {
    for (let i = 0; i < 400; i++) {
      const f = fleet(`fleet${i}`);
      const snap = { now: 1000, hosts: f.hosts, groups: f.groups, seed: `s${i}` };
      const fast = schedulePass(f.containers, snap, { explain: false });
      // The same plugins as copies: not the chain the index knows, so this pass walks every host.
      const walk = schedulePass(f.containers, snap, { explain: false, filters: FILTERS.map((x) => ({ ...x })) });
      expect(JSON.stringify(fast.decisions)).toBe(JSON.stringify(walk.decisions));
      expect(fast.hosts).toEqual(walk.hosts);
    }
  });
});
