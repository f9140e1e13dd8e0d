// The drain planner: at most maxParallel moves in flight, a move settles when RUNNING on its new host, moves go
// where the scheduler says (never back to the drained, cordoned host), and the drain ends when the host is empty.
import { describe, expect, it } from 'vitest';
import { group, host } from '../scheduler/test-fixtures';
import type { SchedGroup, SchedHost } from '../scheduler/types';
import { drainStep, type DrainContainer, type DrainState } from './drain';

const c = (id: string, hostId: string | null, o: Partial<DrainContainer> = {}): DrainContainer => ({
  id, groupId: 'g', hostId, placementGeneration: 1, status: 'RUNNING', ...o,
});
const start = (maxParallel: number, o: Partial<DrainState> = {}): DrainState => ({ hostId: 'h0', maxParallel, startedAt: 0, inFlight: [], moved: 0, blocked: [], ...o });
const fleet = (...extra: SchedHost[]) => [host('h0', { cordoned: true, containerCount: 5 }), host('h1'), host('h2'), ...extra];
const groups = (o: Partial<SchedGroup> = {}) => ({ g: group(o) });
const moved = (r: ReturnType<typeof drainStep>) => r.actions.flatMap((a) => (a.type === 'reschedule' ? [`${a.containerId}:${a.from}>${a.to}`] : []));
const five = ['a', 'b', 'c', 'd', 'e'].map((id) => c(id, 'h0'));

describe('drainStep', () => {
  it.each([
    [1, ['a:h0>h1']],
    [2, ['a:h0>h1', 'b:h0>h2']],
    [3, ['a:h0>h1', 'b:h0>h2', 'c:h0>h1']],
    [10, ['a:h0>h1', 'b:h0>h2', 'c:h0>h1', 'd:h0>h2', 'e:h0>h1']],
  ])('maxParallel %i from an idle drain moves that many (least spreads them)', (n, want) => {
    const r = drainStep(start(n), { now: 0, hosts: fleet(), groups: groups(), containers: five });
    expect(moved(r)).toEqual(want);
    expect(r.state?.inFlight.map((f) => f.containerId)).toEqual(want.map((m) => m[0]));
    expect(r.actions.filter((a) => a.type === 'event')).toHaveLength(want.length);
  });

  it('moves nothing more while maxParallel moves are still not RUNNING on their new host', () => {
    const s = start(2, { inFlight: [{ containerId: 'a', to: 'h1', generation: 2 }, { containerId: 'b', to: 'h2', generation: 2 }], moved: 2 });
    const containers = [c('a', 'h1', { placementGeneration: 2, status: 'STARTING' }), c('b', 'h2', { placementGeneration: 2, status: null }), ...five.slice(2)];
    const r = drainStep(s, { now: 0, hosts: fleet(), groups: groups(), containers });
    expect(r.actions).toEqual([]);
    expect(r.state?.inFlight).toEqual(s.inFlight);
  });

  it('a RUNNING arrival frees a slot on the same step; a container moved by someone else frees it too', () => {
    const s = start(2, { inFlight: [{ containerId: 'a', to: 'h1', generation: 2 }, { containerId: 'b', to: 'h2', generation: 2 }], moved: 2 });
    const containers = [c('a', 'h1', { placementGeneration: 2, status: 'RUNNING' }), c('b', 'h1', { placementGeneration: 3, status: null }), ...five.slice(2)];
    const r = drainStep(s, { now: 0, hosts: fleet(), groups: groups(), containers });
    expect(r.settled).toEqual(['a']);
    expect(moved(r)).toEqual(['c:h0>h1', 'd:h0>h2']);
    expect(r.state?.moved).toBe(4);
  });

  it('never sends a container back to the drained (cordoned) host, nor to an ineligible one', () => {
    const hosts = [host('h0', { cordoned: true }), host('h1', { alive: false }), host('h2', { containerWeight: 0 }), host('h3')];
    const r = drainStep(start(5), { now: 0, hosts, groups: groups(), containers: five.slice(0, 2) });
    expect(moved(r)).toEqual(['a:h0>h3', 'b:h0>h3']);
  });

  it('respects affinity and anti-affinity: the only other host of an anti-affinity group takes one container', () => {
    const g = group({ antiAffinity: true, hostGroupHostIds: ['h0', 'h1'], containerHosts: { a: 'h0', b: 'h0' } });
    const r = drainStep(start(5), { now: 0, hosts: fleet(), groups: { g }, containers: [c('a', 'h0'), c('b', 'h0')] });
    expect(moved(r)).toEqual(['a:h0>h1']);
    expect(r.state?.blocked).toEqual([{ containerId: 'b', reason: expect.stringMatching(/^no eligible host/) }]);
  });

  it('with no eligible host the container stays (still RUNNING where it is), the drain goes on and says why', () => {
    const hosts = [host('h0', { cordoned: true }), host('h1', { alive: false })];
    const r = drainStep(start(1), { now: 0, hosts, groups: groups(), containers: [c('a', 'h0')] });
    expect(r.actions).toEqual([]);
    expect(r.state?.blocked[0].reason).toMatch(/host is not alive/);
  });

  it('ends (state null) when the host is empty and every move settled; not while one is in flight', () => {
    const inFlight = [{ containerId: 'a', to: 'h1', generation: 2 }];
    const going = drainStep(start(1, { inFlight }), { now: 0, hosts: fleet(), groups: groups(), containers: [c('a', 'h1', { placementGeneration: 2, status: 'STARTING' })] });
    expect(going.state).not.toBeNull();
    const done = drainStep(start(1, { inFlight }), { now: 0, hosts: fleet(), groups: groups(), containers: [c('a', 'h1', { placementGeneration: 2 })] });
    expect(done).toEqual({ state: null, actions: [], settled: ['a'] });
  });

  it('the last container moved ends nothing until it runs', () => {
    const r = drainStep(start(1), { now: 0, hosts: fleet(), groups: groups(), containers: [c('a', 'h0')] });
    expect(moved(r)).toEqual(['a:h0>h1']);
    expect(r.state).not.toBeNull();
    const a = r.actions[0];
    expect(a).toMatchObject({ type: 'reschedule', fromGeneration: 1, placementGeneration: 2, reason: expect.stringContaining('drain of h0') });
  });
});
