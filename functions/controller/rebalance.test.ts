// The rebalance planner: evens the least policy's counts within the budget, only where a move narrows a gap, and
// never against affinity, anti-affinity, limits (soft ones included) or two containers of one router at once.
import { describe, expect, it } from 'vitest';
import { group, host } from '../scheduler/test-fixtures';
import type { SchedGroup, SchedHost } from '../scheduler/types';
import { planRebalance, type RebalanceContainer } from './rebalance';

const c = (id: string, hostId: string | null, o: Partial<RebalanceContainer> = {}): RebalanceContainer => ({
  id, groupId: 'g', hostId, placementGeneration: 1, status: 'RUNNING', routerId: `r-${id}`, ...o,
});
/** n RUNNING containers on host h, ids h-1..h-n, each its own router. */
const on = (h: string, n: number, o: Partial<RebalanceContainer> = {}) => Array.from({ length: n }, (_, i) => c(`${h}-${i + 1}`, h, o));

function world(hostSpecs: [string, Partial<SchedHost>?][], containers: RebalanceContainer[], g: Partial<SchedGroup> = {}) {
  const counts = new Map<string, number>();
  for (const x of containers) if (x.hostId) counts.set(x.hostId, (counts.get(x.hostId) ?? 0) + 1);
  const hosts = hostSpecs.map(([id, o]) => host(id, { containerCount: counts.get(id) ?? 0, ...o }));
  const containerHosts = Object.fromEntries(containers.map((x) => [x.id, x.hostId]));
  return { now: 0, hosts, groups: { g: group({ containerHosts, ...g }) }, containers };
}
const moves = (snap: Parameters<typeof planRebalance>[0], budget: number) => planRebalance(snap, budget).map((m) => `${m.containerId}:${m.from}>${m.to}`);

describe('planRebalance', () => {
  it.each([
    ['even already', [4, 4, 4], 10, []],
    ['a gap of one is even enough', [4, 3, 3], 10, []],
    ['6/0/0 → 2/2/2 within budget', [6, 0, 0], 10, ['h0-1:h0>h1', 'h0-2:h0>h2', 'h0-3:h0>h1', 'h0-4:h0>h2']],
    ['the budget caps the moves', [6, 0, 0], 2, ['h0-1:h0>h1', 'h0-2:h0>h2']],
    ['budget 0 plans nothing', [6, 0, 0], 0, []],
    ['from the most loaded first', [3, 5, 0], 1, ['h1-1:h1>h2']],
  ] as [string, number[], number, string[]][])('%s', (_, counts, budget, want) => {
    const ids = counts.map((_, i) => `h${i}`);
    const snap = world(ids.map((id) => [id]), ids.flatMap((id, i) => on(id, counts[i])));
    expect(moves(snap, budget)).toEqual(want);
  });

  it.each([
    ['a dead host takes nothing', { alive: false }],
    ['a cordoned host takes nothing', { cordoned: true }],
    ['a weight-0 host takes nothing', { containerWeight: 0 }],
    ['a bad host takes nothing', { badUntil: 10 }],
    ['a host at its hard limit takes nothing', { containerLimit: 0, enforceContainerLimit: true }],
    ['a host at its soft limit takes nothing either (moving is optional)', { containerLimit: 0 }],
  ] as [string, Partial<SchedHost>][])('%s', (_, o) => {
    const snap = world([['h0'], ['h1', o]], on('h0', 4));
    expect(moves(snap, 10)).toEqual([]);
  });

  it('fills a host with a limit only up to it', () => {
    const snap = world([['h0'], ['h1', { containerLimit: 1 }]], on('h0', 6));
    expect(moves(snap, 10)).toEqual(['h0-1:h0>h1']);
  });

  it('respects host-group affinity: containers stay inside their group', () => {
    const snap = world([['h0'], ['h1'], ['h2']], on('h0', 6), { hostGroupHostIds: ['h0', 'h1'] });
    expect(moves(snap, 10)).toEqual(['h0-1:h0>h1', 'h0-2:h0>h1', 'h0-3:h0>h1']);
  });

  it('respects anti-affinity: no host gets a second container of the group', () => {
    const containers = [c('a', 'h0'), c('b', 'h0', { groupId: 'x' }), c('c', 'h0', { groupId: 'x' }), c('d', 'h1')];
    const base = world([['h0'], ['h1'], ['h2']], containers, { antiAffinity: true });
    const snap = { ...base, groups: { g: { ...base.groups.g, containerHosts: { a: 'h0', d: 'h1' } }, x: group({ id: 'x', containerHosts: { b: 'h0', c: 'h0' } }) } };
    // a (anti-affinity, sibling d on h1) may only go to h2; x's containers go anywhere.
    expect(moves(snap, 10)).toEqual(['a:h0>h2']);
  });

  it('moves one container per router, and none of a router still settling', () => {
    const containers = [
      c('a1', 'h0', { routerId: 'ra' }), c('a2', 'h0', { routerId: 'ra' }), c('a3', 'h0', { routerId: 'ra' }),
      c('b1', 'h0', { routerId: 'rb' }), c('b2', 'h2', { routerId: 'rb', status: 'STARTING' }),
      c('c1', 'h0', { routerId: 'rc' }),
    ];
    const snap = world([['h0'], ['h1'], ['h2']], containers);
    const planned = planRebalance(snap, 10);
    expect(planned.map((m) => m.containerId)).toEqual(['a1', 'c1']);
    expect(new Set(planned.map((m) => m.containerId[0])).size).toBe(planned.length);
  });

  it('moves only RUNNING containers and leaves dead hosts to failover', () => {
    const snap = world([['h0'], ['h1'], ['h9', { alive: false }]], [...on('h0', 4, { status: 'STARTING' }), ...on('h9', 4)]);
    expect(moves(snap, 10)).toEqual([]);
  });

  it('each move says why, carries the generations for the fenced write, and the decision', () => {
    const snap = world([['h0'], ['h1']], on('h0', 2));
    expect(planRebalance(snap, 10)).toEqual([{
      containerId: 'h0-1', from: 'h0', to: 'h1', fromGeneration: 1, placementGeneration: 2,
      reason: 'evens load: h0 had 2 containers, h1 had 0', decision: expect.objectContaining({ policy: 'least' }),
    }]);
  });

  it('is pure: the snapshot is not changed', () => {
    const snap = world([['h0'], ['h1']], on('h0', 4));
    const copy = JSON.parse(JSON.stringify(snap));
    planRebalance(snap, 10);
    expect(snap).toEqual(copy);
  });
});
