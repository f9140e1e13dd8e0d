// The controller's state machine with a fake clock, porting MidoNet's scheduler behaviours: what moves, what
// never moves, bad hosts and their end, the new leader's grace, and DOWN containers' capped retries.
import { describe, expect, it } from 'vitest';
import { retryDelay } from './plan';
import { changes, World } from './test-world';
import { DEFAULT_TIMERS, type Action } from './types';

const T = DEFAULT_TIMERS;
const of = <K extends Action['type']>(actions: Action[], type: K) => actions.filter((a): a is Extract<Action, { type: K }> => a.type === type);

/** Two healthy hosts, one container placed and RUNNING on `on`. */
function running(on: 'a' | 'b' = 'a', policy: 'least' | 'weighted' = 'least'): World {
  const w = new World().addHost('a').addHost('b').addGroup('g', { policy }).addContainer('c1');
  w.host(on === 'a' ? 'b' : 'a').containerWeight = 0; // steer the first placement
  w.tick();
  w.host(on === 'a' ? 'b' : 'a').containerWeight = 1;
  w.advance(500);
  expect(w.container('c1')).toMatchObject({ hostId: on, schedulerState: 'UP', status: 'RUNNING' });
  return w;
}

describe('placement', () => {
  it.each(['least', 'weighted'] as const)('weights 0 and 1 always choose the weight-1 host (%s)', (policy) => {
    for (let i = 0; i < 40; i++) {
      const w = new World().addHost('zero', { containerWeight: 0 }).addHost('one').addGroup('g', { policy }).addContainer(`c${i}`);
      w.seed = `run${i}`;
      w.tick();
      expect(w.container(`c${i}`).hostId).toBe('one');
    }
  });

  it('DOWN → SCHEDULED(host) on bind, SCHEDULED → UP on RUNNING', () => {
    const w = new World().addHost('a').addContainer('c1');
    const actions = w.tick();
    expect(of(actions, 'place')).toMatchObject([{ containerId: 'c1', hostId: 'a', fromGeneration: 0, placementGeneration: 1 }]);
    expect(of(actions, 'event')).toMatchObject([{ eventType: 'scheduled', containerId: 'c1', hostId: 'a', detail: { reasons: { a: 'eligible' } } }]);
    expect(w.container('c1')).toMatchObject({ schedulerState: 'SCHEDULED', scheduledAt: w.now });
    w.container('c1').status = 'RUNNING'; // a report that ingest has not turned into UP
    expect(changes(w.tick())).toEqual([{ type: 'up', containerId: 'c1', hostId: 'a', fromGeneration: 1 }]);
  });

  it('least picks the lowest count, counting the placements of the same tick', () => {
    const w = new World().addHost('a').addHost('b').addHost('c');
    for (const id of ['x1', 'x2', 'x3']) w.addContainer(id, 'g', { hostId: 'a', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 1 });
    w.addContainer('y1', 'g', { hostId: 'b', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 1 });
    for (const id of ['n1', 'n2', 'n3']) w.addContainer(id);
    w.tick();
    expect(['n1', 'n2', 'n3'].map((id) => w.container(id).hostId)).toEqual(['c', 'b', 'c']);
  });

  it('quota 0 is never chosen; reaching the limit moves nothing', () => {
    const w = new World().addHost('q0', { containerLimit: 0, enforceContainerLimit: true }).addHost('two', { containerLimit: 2, enforceContainerLimit: true });
    for (const id of ['c1', 'c2', 'c3']) w.addContainer(id);
    w.advance(1000);
    expect(['c1', 'c2', 'c3'].map((id) => w.container(id).hostId)).toEqual(['two', 'two', null]);
    expect(w.events.find((e) => e.containerId === 'c3' && e.eventType === 'down')?.detail).toMatchObject({
      reasons: { q0: 'host is at its hard container limit', two: 'host is at its hard container limit' },
    });
    w.host('two').containerLimit = 1; // now over its limit: the two placed containers stay
    expect(changes(w.advance(5000)).filter((a) => a.type !== 'setDown')).toEqual([]);
    expect(['c1', 'c2'].map((id) => w.container(id).hostId)).toEqual(['two', 'two']);
  });
});

describe('placed containers never move because of something better', () => {
  it.each([
    ['a heavier host is added later', (w: World) => w.addHost('heavy', { containerWeight: 100 })],
    ['its weight rises on another host', (w: World) => { w.host('b').containerWeight = 50; }],
    ['the group policy changes', (w: World) => { w.groups.get('g')!.policy = 'weighted'; }],
    ['its host gets a host group it is not in', (w: World) => { w.groups.get('g')!.hostGroupHostIds = ['b']; }],
    ['its host is cordoned', (w: World) => { w.host('a').cordoned = true; }],
    ['another host is emptier', (w: World) => w.addHost('empty')],
  ])('%s', (_why, change) => {
    const w = running('a');
    change(w);
    expect(changes(w.advance(60_000))).toEqual([]);
    expect(w.container('c1')).toMatchObject({ hostId: 'a', placementGeneration: 1, status: 'RUNNING' });
  });
});

describe('what moves a container', () => {
  it('weight to 0 moves it, without blaming the host', () => {
    const w = running('a');
    w.host('a').containerWeight = 0;
    const actions = w.tick();
    expect(of(actions, 'reschedule')).toMatchObject([{ containerId: 'c1', from: 'a', to: 'b', fromGeneration: 1, placementGeneration: 2 }]);
    expect(of(actions, 'reschedule')[0].reason).toContain('container weight 0');
    expect(of(actions, 'markHostBad')).toEqual([]);
    expect(w.container('c1')).toMatchObject({ schedulerState: 'RESCHEDULED', status: null });
  });

  it.each([
    ['ERROR', 'ERROR', 'UP'],
    ['STOPPING while running', 'STOPPING', 'UP'],
    ['STOPPED while running (the agent lost it)', 'STOPPED', 'UP'],
  ] as const)('%s marks the host bad and moves it', (_why, status, state) => {
    const w = running('a');
    w.container('c1').status = status;
    w.container('c1').schedulerState = state;
    const actions = w.tick();
    expect(of(actions, 'markHostBad')).toEqual([expect.objectContaining({ hostId: 'a', until: w.now + T.badHostLifetime, bootId: 'a-boot1' })]);
    expect(of(actions, 'reschedule')).toMatchObject([{ from: 'a', to: 'b' }]);
    expect(of(actions, 'event').map((e) => e.eventType)).toEqual(['host-bad', 'rescheduled']);
  });

  it.each(['STOPPING', 'STOPPED'] as const)('%s by its agent\'s self-fence (the broker was gone) stays put while the agent rebuilds it', (status) => {
    const w = running('a');
    w.host('a').agent = 'mute'; // the agent reconnects but has not rebuilt it yet
    Object.assign(w.container('c1'), { status, selfFencedAt: w.now });
    expect(changes(w.advance(T.schedulerTimeout - 250))).toEqual([]);
    Object.assign(w.container('c1'), { status: 'RUNNING', selfFencedAt: null });
    expect(changes(w.advance(60_000))).toEqual([]);
    expect(w.container('c1')).toMatchObject({ hostId: 'a', placementGeneration: 1, schedulerState: 'UP' });
  });

  it('a self-fenced container not started again within the scheduler timeout moves, and its host is marked bad', () => {
    const w = running('a');
    w.host('a').agent = 'mute';
    Object.assign(w.container('c1'), { status: 'STOPPED', selfFencedAt: w.now });
    w.advance(T.schedulerTimeout - 250);
    const actions = w.advance(250);
    expect(of(actions, 'markHostBad')).toMatchObject([{ hostId: 'a' }]);
    expect(of(actions, 'reschedule')).toMatchObject([{ from: 'a', to: 'b' }]);
    expect(of(actions, 'reschedule')[0].reason).toContain(`self-fenced and not started again within ${T.schedulerTimeout} ms`);
  });

  it('STOPPING before it ever ran is not a failure until the scheduler timeout', () => {
    const w = new World().addHost('a', { agent: 'mute' }).addHost('b', { containerWeight: 0 }).addContainer('c1');
    w.tick();
    w.report('c1', 'STOPPING');
    expect(changes(w.advance(T.schedulerTimeout - 250))).toEqual([]);
  });

  it('no STARTING or RUNNING within the timeout moves it and marks the host bad until the lifetime ends', () => {
    const w = new World().addHost('a', { agent: 'mute' }).addHost('b', { containerWeight: 0 }).addContainer('c1');
    w.tick();
    expect(changes(w.advance(T.schedulerTimeout - 250))).toEqual([]);
    w.host('b').containerWeight = 1;
    const actions = w.advance(250);
    expect(of(actions, 'markHostBad')).toMatchObject([{ hostId: 'a', until: w.now + T.badHostLifetime }]);
    expect(of(actions, 'reschedule')).toMatchObject([{ from: 'a', to: 'b' }]);
    expect(of(actions, 'reschedule')[0].reason).toContain(`no STARTING or RUNNING within ${T.schedulerTimeout} ms`);
    // While bad, a new container avoids a even though it is emptier; after the lifetime it is fine again.
    w.addContainer('c2').tick();
    expect(w.container('c2').hostId).toBe('b');
    w.host('a').agent = 'healthy';
    w.advance(T.badHostLifetime);
    w.addContainer('c3').tick();
    expect(w.container('c3').hostId).toBe('a');
  });

  it('an agent restart ends the bad mark early', () => {
    const w = running('a');
    w.report('c1', 'ERROR');
    w.tick();
    expect(w.host('a').badUntil).toBe(w.now + T.badHostLifetime);
    w.advance(1000);
    w.restartAgent('a');
    const actions = w.addContainer('c2').tick();
    expect(of(actions, 'clearHostBad')).toMatchObject([{ hostId: 'a' }]);
    expect(w.host('a').badUntil).toBeNull();
    // In the same tick: a is emptier than b, and no longer bad.
    expect(of(actions, 'place')).toMatchObject([{ containerId: 'c2', hostId: 'a' }]);
  });

  it('a host dead by its Last Will moves its containers at once, and never takes them back', () => {
    const w = running('a');
    w.killAgent('a');
    expect(of(w.tick(), 'reschedule')).toMatchObject([{ from: 'a', to: 'b', reason: 'moved from a to b: its host is dead' }]);
    w.restartAgent('a');
    expect(changes(w.advance(60_000))).toEqual([]);
    expect(w.container('c1').hostId).toBe('b');
  });

  it('a silent host is declared dead after hostDeadAfter, then its containers move', () => {
    const w = running('a');
    w.host('a').agent = 'gone';
    expect(changes(w.advance(T.hostDeadAfter))).toEqual([]);
    const actions = w.advance(250);
    expect(of(actions, 'hostDead')).toMatchObject([{ hostId: 'a' }]);
    expect(of(actions, 'reschedule')).toMatchObject([{ from: 'a', to: 'b' }]);
  });

  it('anti-affinity: a failed-over container never lands beside its sibling', () => {
    const w = new World().addHost('a').addHost('b').addHost('c').addGroup('g', { antiAffinity: true });
    w.addContainer('c1').addContainer('c2').tick();
    const [h1, h2] = [w.container('c1').hostId, w.container('c2').hostId];
    expect(h1).not.toBe(h2);
    w.killAgent(h1!);
    w.tick();
    expect(w.container('c1').hostId).toBe(['a', 'b', 'c'].find((h) => h !== h1 && h !== h2));
  });
});

describe('a new leader', () => {
  it('leaves RUNNING containers alone, even on hosts it has not heard from yet', () => {
    const w = running('a');
    w.host('a').lastSeenAt = w.now - 60_000; // what the new leader's snapshot shows before ingest catches up
    w.newLeader();
    expect(changes(w.tick())).toEqual([]);
    expect(changes(w.advance(T.hostDeadAfter - 250))).toEqual([]);
  });

  it('waits one hostDeadAfter before declaring a silent host dead', () => {
    const w = running('a');
    w.host('a').agent = 'gone';
    w.host('a').lastSeenAt = w.now - 60_000;
    w.newLeader();
    expect(changes(w.advance(T.hostDeadAfter - 250))).toEqual([]);
    const actions = w.advance(250);
    expect(of(actions, 'hostDead')).toMatchObject([{ hostId: 'a' }]);
    expect(w.container('c1').hostId).toBe('b');
  });

  it('does not time out a placement inside its grace, and places nothing on a silent host', () => {
    const w = new World().addHost('a', { agent: 'mute' }).addContainer('c1');
    w.tick();
    w.now += T.schedulerTimeout + 1; // the old leader vanished; nobody ticked
    w.host('a').lastSeenAt = w.now - 5_000;
    w.addHost('b', { lastSeenAt: w.now - 5_000 }).addContainer('c2');
    w.newLeader();
    const actions = w.tick();
    expect(of(actions, 'noop').map((a) => [a.containerId, a.reason])).toEqual([
      ['c1', 'new leader: waiting one hostDeadAfter before judging by silence'],
    ]);
    expect(of(actions, 'setDown')).toMatchObject([{ containerId: 'c2', retries: 1 }]);
  });
});

describe('nowhere to go', () => {
  it('retry delays grow exponentially and are capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((n) => retryDelay(n, T))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('a moved container with no host left goes DOWN with a retry and an event', () => {
    const w = running('a');
    w.host('b').cordoned = true;
    w.killAgent('a');
    const actions = w.tick();
    expect(of(actions, 'setDown')).toMatchObject([{ containerId: 'c1', from: 'a', retries: 1, retryAt: w.now + 1000, placementGeneration: 2 }]);
    expect(of(actions, 'event')[0]).toMatchObject({ eventType: 'down', detail: { reasons: { a: 'host is not alive', b: 'host is cordoned' } } });
    expect(w.container('c1')).toMatchObject({ hostId: null, schedulerState: 'DOWN' });
  });

  it('retries stop after the cap and resume on the next event', () => {
    const w = new World().addHost('a', { cordoned: true }).addContainer('c1');
    const attempts: number[] = [];
    for (let i = 0; i < 400; i++) for (const a of of(w.advance(1000, 1000), 'setDown')) attempts.push(a.retries);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(w.events.filter((e) => e.eventType === 'retries-exhausted')).toHaveLength(1);
    expect(of(w.tick(), 'noop')[0].reason).toMatch(/waiting for a host to appear or change/);
    w.host('a').cordoned = false; // the event
    expect(of(w.tick(), 'place')).toMatchObject([{ containerId: 'c1', hostId: 'a' }]);
    expect(w.container('c1')).toMatchObject({ retries: 0, nextAttemptAt: null });
  });

  it('an event that still leaves nowhere starts a fresh series', () => {
    const w = new World().addHost('a', { cordoned: true }).addContainer('c1');
    w.advance(300_000, 1000);
    expect(w.container('c1').retries).toBe(T.maxRetries);
    w.addHost('b', { containerWeight: 0 }); // a host appears, but does not fit
    expect(of(w.tick(), 'setDown')).toMatchObject([{ retries: 1, retryAt: w.now + 1000 }]);
  });

  it('a heartbeat is not an event', () => {
    const w = new World().addHost('a', { cordoned: true }).addContainer('c1');
    w.advance(300_000, 1000);
    expect(changes(w.advance(60_000))).toEqual([]);
  });
});
