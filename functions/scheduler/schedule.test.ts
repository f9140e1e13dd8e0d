// schedule / schedulePass: the composed decision (filters, soft limit, policy), its per-host reasons, and a pass
// that counts its own placements.
import { describe, expect, it } from 'vitest';
import { schedule, schedulePass } from './schedule';
import { group, host } from './test-fixtures';
import { ELIGIBLE, type SchedGroup, type SchedHost } from './types';
import * as alive from './filters/alive';
import * as weight from './filters/weight';
import * as hardLimit from './filters/hard-limit';
import * as softLimit from './filters/soft-limit';
import * as antiAffinity from './filters/anti-affinity';
import * as hostGroup from './filters/affinity-host-group';

const NOW = 5_000;
const c = (id = 'c', hostId: string | null = null, groupId = 'g') => ({ id, groupId, hostId });
const pick = (hosts: SchedHost[], g: Partial<SchedGroup> = {}, seed = '') => schedule(c(), group(g), { now: NOW, hosts }, { seed });

describe('schedule', () => {
  it.each([
    ['weights 0 and 1 always choose the weight-1 host (weighted)', [host('a', { containerWeight: 0 }), host('b')], { policy: 'weighted' }, 'b'],
    ['weights 0 and 1 always choose the weight-1 host (least)', [host('a', { containerWeight: 0 }), host('b', { containerCount: 5 })], {}, 'b'],
    ['quota 0 is never chosen', [host('a', { enforceContainerLimit: true, containerLimit: 0 }), host('b', { containerCount: 9 })], {}, 'b'],
    ['least picks the lowest count', [host('a', { containerCount: 2 }), host('b', { containerCount: 0 }), host('c', { containerCount: 1 })], {}, 'b'],
    ['a soft limit prefers hosts under it', [host('a', { containerLimit: 1, containerCount: 1 }), host('b', { containerCount: 4 })], {}, 'b'],
    ['an over-limit host is used when no other fits', [host('a', { containerLimit: 1, containerCount: 3 }), host('b', { alive: false })], {}, 'a'],
    ['a hard limit is never exceeded, even when nothing else fits', [host('a', { enforceContainerLimit: true, containerLimit: 1, containerCount: 1 })], {}, null],
    ['host group affinity', [host('a'), host('b', { containerCount: 3 })], { hostGroupHostIds: ['b'] }, 'b'],
    ['port group affinity (fate-sharing)', [host('a'), host('b', { containerCount: 3 })], { portGroupHostIds: ['b'] }, 'b'],
    ['no host at all', [], {}, null],
  ] as const)('%s', (_why, hosts, g, want) => {
    for (let i = 0; i < 20; i++) expect(pick([...hosts], g as Partial<SchedGroup>, `seed${i}`).hostId).toBe(want);
  });

  it('records the first rejecting reason for every host and "eligible" for the rest', () => {
    const d = pick([
      host('dead', { alive: false, containerWeight: 0 }),
      host('zero', { containerWeight: 0 }),
      host('full', { enforceContainerLimit: true, containerLimit: 1, containerCount: 1 }),
      host('soft', { containerLimit: 0 }),
      host('outside'),
      host('ok1', { containerCount: 1 }),
      host('ok2'),
    ], { hostGroupHostIds: ['dead', 'zero', 'full', 'soft', 'ok1', 'ok2'] });
    expect(d.hostId).toBe('ok2');
    expect(d.reasons).toEqual({
      dead: alive.reason, zero: weight.reason, full: hardLimit.reason, soft: softLimit.reason,
      outside: hostGroup.reason, ok1: ELIGIBLE, ok2: ELIGIBLE,
    });
    expect(d.summary).toEqual({ [alive.reason]: 1, [weight.reason]: 1, [hardLimit.reason]: 1, [softLimit.reason]: 1, [hostGroup.reason]: 1, [ELIGIBLE]: 2 });
  });

  it('without explain only the chosen host is named, and the summary still counts every host', () => {
    const d = schedule(c(), group(), { now: NOW, hosts: [host('a', { alive: false }), host('b'), host('c', { containerCount: 1 })] }, { explain: false });
    expect(d).toMatchObject({ hostId: 'b', reasons: { b: ELIGIBLE }, summary: { [alive.reason]: 1, [ELIGIBLE]: 2 } });
    expect(Object.keys(d.reasons)).toEqual(['b']);
  });

  it('a soft-limited host that is the only fit is "eligible", not rejected', () => {
    const d = pick([host('soft', { containerLimit: 0 }), host('dead', { alive: false })]);
    expect(d).toMatchObject({ hostId: 'soft', reasons: { soft: ELIGIBLE, dead: alive.reason } });
  });

  it('weighted decisions replay from their seed', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e'].map((id) => host(id));
    const first = Array.from({ length: 30 }, (_, i) => pick(hosts, { policy: 'weighted' }, `run${i}`));
    const again = Array.from({ length: 30 }, (_, i) => pick(hosts, { policy: 'weighted' }, `run${i}`));
    expect(again.map((d) => d.hostId)).toEqual(first.map((d) => d.hostId));
    expect(new Set(first.map((d) => d.hostId)).size).toBeGreaterThan(2); // it is random across seeds
    expect(first[0].seed).toBe('run0:c:1');
    const shuffled = [...hosts].reverse();
    expect(Array.from({ length: 30 }, (_, i) => pick(shuffled, { policy: 'weighted' }, `run${i}`).hostId)).toEqual(first.map((d) => d.hostId));
  });

  it('an unknown policy string from the database falls back to least', () => {
    const d = pick([host('a', { containerCount: 1 }), host('b')], { policy: 'bogus' as never });
    expect(d).toMatchObject({ hostId: 'b', policy: 'least' });
  });
});

describe('schedulePass', () => {
  it('least counts placements made earlier in the same pass', () => {
    const hosts = [host('a', { containerCount: 1 }), host('b'), host('c')];
    const r = schedulePass(['1', '2', '3', '4', '5'].map((id) => c(id)), { now: NOW, hosts, groups: { g: group() } });
    expect(r.decisions.map((d) => d.hostId)).toEqual(['b', 'c', 'a', 'b', 'c']);
    expect(r.hosts.map((h) => h.containerCount)).toEqual([2, 2, 2]);
    expect(hosts.map((h) => h.containerCount)).toEqual([1, 0, 0]); // input untouched
  });

  it('a hard limit holds across the pass; the rest stay unplaced', () => {
    const hosts = [host('a', { enforceContainerLimit: true, containerLimit: 2 })];
    const r = schedulePass(['1', '2', '3'].map((id) => c(id)), { now: NOW, hosts, groups: { g: group() } });
    expect(r.decisions.map((d) => d.hostId)).toEqual(['a', 'a', null]);
    expect(r.decisions[2].reasons).toEqual({ a: hardLimit.reason });
  });

  it('anti-affinity sees the placements made earlier in the pass', () => {
    const hosts = [host('a'), host('b')];
    const r = schedulePass(['1', '2', '3'].map((id) => c(id)), { now: NOW, hosts, groups: { g: group({ antiAffinity: true, policy: 'weighted' }) } });
    expect(new Set(r.decisions.slice(0, 2).map((d) => d.hostId))).toEqual(new Set(['a', 'b']));
    expect(r.decisions[2]).toMatchObject({ hostId: null, reasons: { a: antiAffinity.reason, b: antiAffinity.reason } });
    expect(r.groups.g.containerHosts).toEqual({ 1: r.decisions[0].hostId, 2: r.decisions[1].hostId, 3: null });
  });

  it('a moved container frees its old host and may not stay beside itself', () => {
    const hosts = [host('a', { containerCount: 1, alive: false }), host('b', { containerCount: 1 }), host('c', { containerCount: 1 })];
    const g = group({ antiAffinity: true, containerHosts: { x: 'a', y: 'b' } });
    const r = schedulePass([c('x', 'a')], { now: NOW, hosts, groups: { g } });
    expect(r.decisions[0]).toMatchObject({ from: 'a', hostId: 'c' });
    expect(r.hosts.map((h) => [h.id, h.containerCount])).toEqual([['a', 0], ['b', 1], ['c', 2]]);
  });

  it('refuses a container whose group is missing from the snapshot', () => {
    expect(() => schedulePass([c('x', null, 'nope')], { now: NOW, hosts: [host('a')], groups: {} })).toThrow(/no container group nope/);
  });
});
