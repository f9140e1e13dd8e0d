// Every filter plugin, table-driven: which hosts it lets through, and that its reason is a constant sentence.
import { describe, expect, it } from 'vitest';
import { FILTERS } from '.';
import { filterContext } from '../schedule';
import { group, host } from '../test-fixtures';
import type { SchedGroup, SchedHost } from '../types';

const NOW = 1_000_000;
const byName = Object.fromEntries(FILTERS.map((f) => [f.name, f]));

type Row = [filter: string, why: string, host: Partial<SchedHost>, group: Partial<SchedGroup>, passes: boolean];
const rows: Row[] = [
  ['affinity-host-group', 'no host group: anywhere', {}, {}, true],
  ['affinity-host-group', 'member of the host group', {}, { hostGroupHostIds: ['h', 'x'] }, true],
  ['affinity-host-group', 'not a member', {}, { hostGroupHostIds: ['x'] }, false],
  ['affinity-host-group', 'empty host group: nowhere', {}, { hostGroupHostIds: [] }, false],
  ['affinity-port-group', 'no port group: anywhere', {}, {}, true],
  ['affinity-port-group', 'a port of the group is bound here', {}, { portGroupHostIds: ['h'] }, true],
  ['affinity-port-group', 'ports bound elsewhere only', {}, { portGroupHostIds: ['x'] }, false],
  ['affinity-port-group', 'no port bound anywhere', {}, { portGroupHostIds: [] }, false],
  ['anti-affinity', 'off: sharing is fine', {}, { containerHosts: { other: 'h' } }, true],
  ['anti-affinity', 'another container of the group is here', {}, { antiAffinity: true, containerHosts: { other: 'h' } }, false],
  ['anti-affinity', 'only the container itself is here', {}, { antiAffinity: true, containerHosts: { c: 'h' } }, true],
  ['anti-affinity', 'the others are elsewhere or unplaced', {}, { antiAffinity: true, containerHosts: { a: 'x', b: null } }, true],
  ['alive', 'alive', {}, {}, true],
  ['alive', 'dead', { alive: false }, {}, false],
  ['weight', 'weight 1', {}, {}, true],
  ['weight', 'weight 0', { containerWeight: 0 }, {}, false],
  ['not-bad', 'never marked', {}, {}, true],
  ['not-bad', 'marked until later', { badUntil: NOW + 1 }, {}, false],
  ['not-bad', 'the mark ended', { badUntil: NOW }, {}, true],
  ['not-cordoned', 'open', {}, {}, true],
  ['not-cordoned', 'cordoned', { cordoned: true }, {}, false],
  ['hard-limit', 'no limit (-1)', { enforceContainerLimit: true, containerCount: 99 }, {}, true],
  ['hard-limit', 'under the limit', { enforceContainerLimit: true, containerLimit: 2, containerCount: 1 }, {}, true],
  ['hard-limit', 'at the limit', { enforceContainerLimit: true, containerLimit: 2, containerCount: 2 }, {}, false],
  ['hard-limit', 'quota 0', { enforceContainerLimit: true, containerLimit: 0 }, {}, false],
  ['hard-limit', 'soft limit is not hard', { containerLimit: 2, containerCount: 5 }, {}, true],
  ['soft-limit', 'under the soft limit', { containerLimit: 2, containerCount: 1 }, {}, true],
  ['soft-limit', 'at the soft limit', { containerLimit: 2, containerCount: 2 }, {}, false],
  ['soft-limit', 'no limit', { containerCount: 50 }, {}, true],
  ['soft-limit', 'an enforced limit is the hard filter’s job', { enforceContainerLimit: true, containerLimit: 0 }, {}, true],
];

describe('filter plugins', () => {
  it.each(rows)('%s: %s', (name, _why, h, g, passes) => {
    const f = byName[name];
    const grp = group(g);
    expect(f.filter(host('h', h), filterContext({ id: 'c' }, grp, NOW))).toBe(passes);
  });

  it('each plugin has a unique name, a kind and a constant reason', () => {
    expect(new Set(FILTERS.map((f) => f.name)).size).toBe(FILTERS.length);
    for (const f of FILTERS) {
      expect(f.reason.length).toBeGreaterThan(5);
      expect(['hard', 'soft']).toContain(f.kind);
      expect(['host', 'placement']).toContain(f.scope);
    }
    // The scheduler judges host-scoped filters once per pass, with a context holding only the time.
    const onlyNow = { now: NOW } as never;
    for (const f of FILTERS.filter((x) => x.scope === 'host')) {
      for (const h of [host('h'), host('h', { alive: false, containerWeight: 0, badUntil: NOW + 1, cordoned: true })]) {
        expect(f.filter(h, onlyNow)).toBe(f.filter(h, filterContext({ id: 'c' }, group({ antiAffinity: true }), NOW)));
      }
    }
    expect(FILTERS.filter((f) => f.kind === 'soft').map((f) => f.name)).toEqual(['soft-limit']);
  });
});
