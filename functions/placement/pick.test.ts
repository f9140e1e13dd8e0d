// pickHost: which host the interim placement chooses (fewest containers among the eligible), table-driven.
import { describe, expect, it } from 'vitest';
import { ineligible, pickHost, type PlacementHost } from './pick';

const h = (id: string, o: Partial<PlacementHost> = {}): PlacementHost => ({
  id, alive: true, cordoned: false, containerWeight: 1, containerLimit: -1, enforceContainerLimit: false, ...o,
});

describe('pickHost', () => {
  it.each([
    ['no hosts', [], {}, undefined],
    ['the only live host', [h('a')], {}, 'a'],
    ['fewest containers wins', [h('a'), h('b'), h('c')], { a: 2, b: 1, c: 3 }, 'b'],
    ['ties go to the higher weight', [h('a'), h('b', { containerWeight: 5 })], {}, 'b'],
    ['then to the smaller id', [h('b'), h('a')], {}, 'a'],
    ['dead hosts are skipped', [h('a', { alive: false }), h('b')], { b: 9 }, 'b'],
    ['cordoned hosts are skipped', [h('a', { cordoned: true }), h('b')], { b: 9 }, 'b'],
    ['weight 0 is skipped', [h('a', { containerWeight: 0 }), h('b')], { b: 9 }, 'b'],
    ['a hard limit is never exceeded', [h('a', { containerLimit: 1, enforceContainerLimit: true }), h('b')], { a: 1, b: 5 }, 'b'],
    ['a soft limit does not exclude', [h('a', { containerLimit: 1 }), h('b')], { a: 1, b: 5 }, 'a'],
    ['nobody eligible', [h('a', { alive: false }), h('b', { cordoned: true })], {}, undefined],
  ] as const)('%s', (_name, hosts, counts, want) => {
    expect(pickHost(hosts, new Map(Object.entries(counts)))?.id).toBe(want);
  });

  it('says why a host is not eligible', () => {
    expect(ineligible(h('a'), 0)).toBeNull();
    expect(ineligible(h('a', { alive: false }), 0)).toBe('host is not alive');
    expect(ineligible(h('a', { containerLimit: 2, enforceContainerLimit: true }), 2)).toBe('at its hard container limit 2');
  });
});
