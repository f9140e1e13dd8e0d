// fleetFingerprint: changes exactly when a host could newly fit a container, not on every heartbeat.
import { describe, expect, it } from 'vitest';
import { group } from '../scheduler/test-fixtures';
import { fleetFingerprint } from './fleet';
import { DEFAULT_TIMERS, type PlanHost } from './types';
import type { SchedGroup } from '../scheduler/types';

const NOW = 100_000;
const h = (id: string, o: Partial<PlanHost> = {}): PlanHost => ({
  id, alive: true, containerWeight: 1, containerLimit: -1, enforceContainerLimit: false, cordoned: false, badUntil: null,
  containerCount: 0, lastSeenAt: NOW, bootId: 'b1', ...o,
});
const fp = (hosts: PlanHost[], groups: Record<string, SchedGroup> = { g: group() }, now = NOW) => fleetFingerprint(hosts, groups, now, DEFAULT_TIMERS);
const base = fp([h('a'), h('b')]);

describe('fleetFingerprint', () => {
  it.each([
    ['a host appears', () => fp([h('a'), h('b'), h('c')])],
    ['a host comes alive', () => fp([h('a'), h('b', { alive: false })])],
    ['a weight changes', () => fp([h('a', { containerWeight: 3 }), h('b')])],
    ['a cordon is lifted', () => fp([h('a', { cordoned: true }), h('b')])],
    ['a limit changes', () => fp([h('a', { containerLimit: 4 }), h('b')])],
    ['a bad mark is in force', () => fp([h('a', { badUntil: NOW + 1 }), h('b')])],
    ['a port group member is bound somewhere new', () => fp([h('a'), h('b')], { g: group({ portGroupHostIds: ['b'] }) })],
  ])('changes when %s', (_why, other) => {
    expect(other()).not.toBe(base);
  });

  it('changes when a hard-limited host fills up or frees a slot', () => {
    const limited = (containerCount: number) => h('a', { containerLimit: 2, enforceContainerLimit: true, containerCount });
    expect(fp([limited(1)])).not.toBe(fp([limited(2)]));
    expect(fp([limited(0)])).toBe(fp([limited(1)])); // not full either way: nothing new can fit
  });

  it.each([
    ['a heartbeat arrives (lastSeenAt moves)', () => fp([h('a', { lastSeenAt: NOW - 100 }), h('b')])],
    ['a soft-limited host gets another container', () => fp([h('a', { containerCount: 5 }), h('b')])],
    ['a bad mark has expired', () => fp([h('a', { badUntil: NOW - 1 }), h('b')])],
    ['the hosts come in another order', () => fp([h('b'), h('a')])],
    ['the agent restarts (a new bootId alone)', () => fp([h('a', { bootId: 'b2' }), h('b')])],
  ])('stays when %s', (_why, same) => {
    expect(same()).toBe(base);
  });
});
