// The stateless controller step: nothing it decides on lives in a process. Each step here is a fresh call (as a
// Worker invocation is), yet the leader grace, the fleet fingerprint and the time silence is judged from survive
// between them in the lease row; with hearing from ingest, a control plane that stops receiving batches judges
// no host by silence.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { insertContainer, insertHost } from '../services/hosts/test-fixtures';
import { containers, hosts, leases } from '../db/schema';
import { ManualClock } from '../../shared/clock';
import { CONTROLLER_LEASE } from '../relay/relay';
import { recordHearing } from './hearing';
import { controllerStep } from './tick';

describe('controllerStep (stateless)', () => {
  let t: TestApp;
  let clock: ManualClock;
  const db = () => t.deps.database.db;
  const deadHosts = async () => (await db().select({ id: hosts.id }).from(hosts).where(eq(hosts.alive, false))).map((h) => h.id).sort();
  const heartbeat = async (...ids: string[]) => {
    for (const id of ids) await db().update(hosts).set({ alive: true, lastSeenAt: clock.now() }).where(eq(hosts.id, id));
  };
  const ingestBatch = () => t.deps.database.write((tx) => recordHearing(tx, CONTROLLER_LEASE, clock.now(), 1000));
  const worker = { holder: 'worker', leaseTtlMs: 90_000, hearing: { kind: 'ingest', windowMs: 1000 } } as const;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    t = await createTestApp({ clock });
    for (const h of ['host0', 'host1', 'host2']) await insertHost(db(), h, { alive: true, lastSeenAt: clock.now(), bootId: `${h}-b1` });
  });
  afterEach(() => t.close());

  it('keeps the leader grace in the database: separate calls of one holder are one leadership', async () => {
    const first = await controllerStep(t.deps, { holder: 'w' });
    expect(first).toMatchObject({ leader: true, epoch: 1 });
    const [row] = await db().select().from(leases);
    expect(row.leaderSince).toBe(clock.now());
    clock.advance(1500);
    await heartbeat('host1');
    await controllerStep(t.deps, { holder: 'w' }); // still in the grace: host0 and host2 are not judged yet
    expect(await deadHosts()).toEqual([]);
    clock.advance(700); // 2.2 s after the epoch began, host0 and host2 silent for 2.2 s
    await heartbeat('host1');
    const third = await controllerStep(t.deps, { holder: 'w' });
    expect(third.epoch).toBe(1);
    expect(await deadHosts()).toEqual(['host0', 'host2']);
  });

  it('remembers the fleet fingerprint between calls: a change of the fleet is noticed once', async () => {
    await controllerStep(t.deps, { holder: 'w' });
    const [a] = await db().select().from(leases);
    expect(a.fingerprint).toMatch(/^[0-9a-z]+$/);
    expect(a.fleetChangedAt).toBe(clock.now());
    clock.advance(100);
    await heartbeat('host0', 'host1', 'host2');
    await controllerStep(t.deps, { holder: 'w' });
    const [b] = await db().select().from(leases);
    expect(b.fleetChangedAt).toBe(a.fleetChangedAt); // heartbeats alone do not change it
    await db().update(hosts).set({ containerWeight: 3 }).where(eq(hosts.id, 'host2'));
    clock.advance(100);
    await controllerStep(t.deps, { holder: 'w' });
    const [c] = await db().select().from(leases);
    expect(c.fleetChangedAt).toBe(clock.now());
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it('a new epoch forgets the memory: leader_since restarts and the grace applies again', async () => {
    await controllerStep(t.deps, { holder: 'w' });
    await db().update(leases).set({ expiresAt: 0 });
    clock.advance(5000); // every host silent for 5 s, but the new epoch gets its grace
    const r = await controllerStep(t.deps, { holder: 'other' });
    expect(r).toMatchObject({ leader: true, epoch: 2 });
    const [row] = await db().select().from(leases);
    expect(row.leaderSince).toBe(clock.now());
    expect(await deadHosts()).toEqual([]);
  });

  it('hearing from ingest: silence is judged only while batches keep arriving', async () => {
    await controllerStep(t.deps, worker); // creates the lease row
    await ingestBatch();
    // Batches every 500 ms for 2.5 s; only host1 is in them.
    for (let i = 0; i < 5; i++) {
      clock.advance(500);
      await heartbeat('host1');
      await ingestBatch();
      await controllerStep(t.deps, worker);
    }
    expect(await deadHosts()).toEqual(['host0', 'host2']);
  });

  it('hearing from ingest: when batches stop (a dead bridge), nobody is declared dead however long the silence', async () => {
    await controllerStep(t.deps, worker);
    await ingestBatch();
    clock.advance(10_000); // no batch for 10 s: every host silent, and so are we
    await controllerStep(t.deps, worker);
    expect(await deadHosts()).toEqual([]);
    // Batches resume (the first ones carry only host1): the grace counts from the resumption.
    await heartbeat('host1');
    await ingestBatch();
    await controllerStep(t.deps, worker);
    expect(await deadHosts()).toEqual([]);
    for (let i = 0; i < 5; i++) {
      clock.advance(500);
      await heartbeat('host0', 'host1');
      await ingestBatch();
      await controllerStep(t.deps, worker);
    }
    expect(await deadHosts()).toEqual(['host2']);
  });

  it('a Last Will (alive = false) moves a container at once, whatever the hearing', async () => {
    await controllerStep(t.deps, worker);
    const c = await insertContainer(db(), { hostId: 'host0', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 1 });
    await db().update(hosts).set({ alive: false }).where(eq(hosts.id, 'host0'));
    await controllerStep(t.deps, worker);
    const [row] = await db().select().from(containers).where(eq(containers.id, c));
    expect(row.hostId).not.toBe('host0');
    expect(row.hostId).not.toBeNull();
  });

  it('ingest before any step stamps nothing and says no lease exists', async () => {
    expect(await ingestBatch()).toEqual({ leaseLeftMs: null });
    await controllerStep(t.deps, worker);
    const { leaseLeftMs } = await ingestBatch();
    expect(leaseLeftMs).toBeGreaterThan(80_000);
    const [row] = await db().select().from(leases);
    expect(row.heardAt).toBe(clock.now());
    expect(row.hearingSince).toBe(clock.now());
  });
});
