// The controller tick over a real libSQL database: placement by policy with reasons stored, failover of a dead
// host's containers (dirty hosts, generation), only the leaseholder acts, a stale leader changes nothing, and a
// new leader waits one hostDeadAfter before judging silence.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { insertContainer, insertContainerGroup, insertHost } from '../services/hosts/test-fixtures';
import { containerEvents, containers, dirtyHosts, hosts, leases } from '../db/schema';
import { ManualClock } from '../../shared/clock';
import { IngestBatcher } from '../ingest/batcher';
import { Controller } from './tick';

describe('Controller.tick over a database', () => {
  let t: TestApp;
  let clock: ManualClock;
  const db = () => t.deps.database.db;
  const controller = (holder = 'replica-a') => new Controller(t.deps, { holder });
  const row = async (id: string) => (await db().select().from(containers).where(eq(containers.id, id)))[0];
  const dirty = async () => (await db().select().from(dirtyHosts)).map((d) => d.hostId).sort();
  const heartbeat = async (...ids: string[]) => {
    for (const id of ids) await db().update(hosts).set({ alive: true, lastSeenAt: clock.now() }).where(eq(hosts.id, id));
  };

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    t = await createTestApp({ clock });
    for (const h of ['host0', 'host1', 'host2']) await insertHost(db(), h, { alive: true, lastSeenAt: clock.now(), bootId: `${h}-b1` });
  });
  afterEach(() => t.close());

  it('places unplaced containers by least, binds their ports, marks hosts dirty and records per-host reasons', async () => {
    await db().update(hosts).set({ cordoned: true }).where(eq(hosts.id, 'host2'));
    const g = await insertContainerGroup(db(), { policy: 'least' });
    const a = await insertContainer(db(), { groupId: g });
    const b = await insertContainer(db(), { groupId: g });
    const r = await controller().tick();
    expect(r.leader).toBe(true);
    const placed = [(await row(a)).hostId, (await row(b)).hostId].sort();
    expect(placed).toEqual(['host0', 'host1']);
    expect((await row(a))).toMatchObject({ schedulerState: 'SCHEDULED', placementGeneration: 1 });
    expect(await dirty()).toEqual(['host0', 'host1']);
    const [ev] = await db().select().from(containerEvents).where(eq(containerEvents.containerId, a));
    expect(ev).toMatchObject({ type: 'scheduled', hostId: (await row(a)).hostId });
    expect((ev.detail as any).reasons).toMatchObject({ host2: 'host is cordoned' });
  });

  it('moves the containers of a dead host at once (generation bumped, old and new host dirty, port rebound)', async () => {
    const c = await insertContainer(db(), { hostId: 'host0', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 1, portId: 'port-x' });
    const ctl = controller();
    clock.advance(2500);
    await heartbeat('host0', 'host1', 'host2');
    expect((await ctl.tick()).applied).toEqual([]); // RUNNING on a live host: left alone
    await db().delete(dirtyHosts);
    await db().update(hosts).set({ alive: false }).where(eq(hosts.id, 'host0')); // its Last Will
    await ctl.tick();
    const moved = await row(c);
    expect(moved).toMatchObject({ schedulerState: 'RESCHEDULED', placementGeneration: 2, status: null });
    expect(['host1', 'host2']).toContain(moved.hostId);
    expect(await dirty()).toEqual(['host0', moved.hostId].sort());
    await db().update(hosts).set({ alive: true }).where(eq(hosts.id, 'host0'));
    await ctl.tick();
    expect((await row(c)).hostId).toBe(moved.hostId); // a host that comes back does not take it back
  });

  it('only the leaseholder acts; a stale leader (lease taken over) changes nothing', async () => {
    const a = controller('replica-a');
    const b = controller('replica-b');
    expect((await a.tick()).leader).toBe(true);
    expect((await b.tick()).leader).toBe(false);
    // a's lease is taken while it "sleeps": expire it and let b win a higher epoch.
    await db().update(leases).set({ expiresAt: 0 });
    const rb = await b.tick();
    expect(rb).toMatchObject({ leader: true, epoch: 2 });
    const c = await insertContainer(db());
    // a still believes it leads (it renews only every 500 ms): its fenced write is refused.
    const ra = await a.tick();
    expect(ra.leader).toBe(false);
    expect(await row(c)).toMatchObject({ hostId: null, placementGeneration: 0 });
    expect((await b.tick()).applied.map((x) => x.type)).toContain('place');
  });

  it('a new leader waits one hostDeadAfter before declaring a silent host dead', async () => {
    clock.advance(5000); // every host silent
    await heartbeat('host1');
    const ctl = controller();
    await ctl.tick();
    expect((await db().select().from(hosts).where(eq(hosts.alive, false))).map((h) => h.id)).toEqual([]);
    clock.advance(2100);
    await heartbeat('host1');
    await ctl.tick();
    expect((await db().select({ id: hosts.id }).from(hosts).where(eq(hosts.alive, false))).map((h) => h.id).sort()).toEqual(['host0', 'host2']);
  });

  it('an ERROR marks the host bad and moves the container; the agent restarting (new bootId) ends the bad mark', async () => {
    const ctl = controller();
    const c = await insertContainer(db(), { hostId: 'host0', schedulerState: 'UP', status: 'ERROR', placementGeneration: 1 });
    await ctl.tick();
    expect((await row(c)).hostId).not.toBe('host0');
    const bad = (await db().select().from(hosts).where(eq(hosts.id, 'host0')))[0];
    expect(bad.badUntil).toBe(clock.now() + ctl.timers.badHostLifetime);
    const ingest = new IngestBatcher(t.deps);
    const hb = (bootId: string) => JSON.stringify({ v: 1, hostId: 'host0', bootId, seq: 0, at: 1, observedGeneration: 0, count: 0, quota: -1, load: 0 });
    ingest.offer('berth/v1/hosts/host0/heartbeat', hb('host0-b1'));
    await ingest.flush();
    expect((await db().select().from(hosts).where(eq(hosts.id, 'host0')))[0].badUntil).not.toBeNull(); // same agent: still bad
    ingest.offer('berth/v1/hosts/host0/heartbeat', hb('host0-b2'));
    await ingest.flush();
    expect((await db().select().from(hosts).where(eq(hosts.id, 'host0')))[0].badUntil).toBeNull();
  });
});
