// Liveness applied once (issue 12): on an external broker every replica hears every heartbeat, but only the one
// holding the controller lease writes it. The pure decision, then the batcher over a real database with real
// leases taken by real controller steps.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { hosts } from '../db/schema';
import { ManualClock } from '../../shared/clock';
import { acquireLease } from '../controller/lease';
import { CONTROLLER_LEASE } from '../relay/fence';
import { createMetrics } from '../node/metrics';
import { IngestBatcher } from './batcher';
import { afterStep, appliesLiveness, LivenessGate } from './liveness-gate';

const TTL = 2000;
const hbTopic = (h: string) => `berth/v1/hosts/${h}/heartbeat`;
const hb = (h: string, seq = 0) => JSON.stringify({ v: 1, hostId: h, bootId: 'boot-1', seq, at: 1, observedGeneration: 0, count: 0, quota: -1, load: 1 });
const status = (h: string) => JSON.stringify({ v: 1, hostId: h, bootId: 'boot-1', containers: [] });

describe('the liveness gate (pure)', () => {
  it('is closed without a lease, open for one TTL from the start of the step that confirmed it, then closed', () => {
    expect(appliesLiveness(null, 0, TTL)).toBe(false);
    const v = afterStep(null, 3, 100, 120, 5_000, TTL);
    expect(v).toEqual({ epoch: 3, confirmedAt: 100, openSince: 5_000 });
    expect(appliesLiveness(v, 2_099, TTL)).toBe(true);
    // Frozen past the TTL: what piled up meanwhile is not applied (another replica may lead by now).
    expect(appliesLiveness(v, 2_100, TTL)).toBe(false);
  });

  it('keeps its gap-free span across renewals of one epoch; a new epoch, a gap or a lost lease starts it over', () => {
    const v = afterStep(null, 3, 0, 10, 5_000, TTL)!;
    expect(afterStep(v, 3, 250, 260, 5_260, TTL)!.openSince).toBe(5_000);
    expect(afterStep(v, 4, 250, 260, 5_260, TTL)!.openSince).toBe(5_260);
    // Renewed in the same epoch, but only after the gate had closed (a slow step): heartbeats were dropped meanwhile.
    expect(afterStep(v, 3, 1_900, 2_400, 7_400, TTL)!.openSince).toBe(7_400);
    expect(afterStep(v, null, 250, 260, 5_260, TTL)).toBeNull();
  });
});

describe('ingest behind the liveness gate (real database)', () => {
  let t: TestApp;
  let clock: ManualClock;
  let mono: number;
  const gateOf = () => new LivenessGate(TTL, () => clock.now(), () => mono);
  const host = async (id: string) => (await t.deps.database.db.select().from(hosts).where(eq(hosts.id, id)))[0];
  const take = async (holder: string) => (await acquireLease(t.deps.database, CONTROLLER_LEASE, holder, TTL))!.epoch;

  beforeEach(async () => {
    clock = new ManualClock();
    mono = 0;
    t = await createTestApp({ clock });
  });
  afterEach(() => t.close());

  it('N heartbeats heard by two replicas are applied N times in all, by the lease holder alone; status is not gated', async () => {
    const leaderGate = gateOf();
    const followerGate = gateOf();
    leaderGate.answered(await take('a'), mono);
    followerGate.answered(null, mono);
    const leader = new IngestBatcher(t.deps, { liveness: leaderGate });
    const follower = new IngestBatcher(t.deps, { liveness: followerGate });
    const N = 40;
    for (let i = 0; i < N; i++) for (const r of [leader, follower]) r.offer(hbTopic(`h${i % 4}`), hb(`h${i % 4}`, i));
    follower.offer('berth/v1/hosts/h0/status', status('h0'));
    await Promise.all([leader.flush(), follower.flush()]);
    const [a, b] = [leader.stats(), follower.stats()];
    expect(a.applied + b.applied).toBe(N + 1);
    expect([a.applied, a.leftToLeader, b.applied, b.leftToLeader]).toEqual([N, 0, 1, N]);
    // Dropped before decoding: nothing the follower left to the leader was even validated (garbage counts the same).
    follower.offer(hbTopic('h0'), '{not json');
    expect(follower.stats().dropped.invalid_json).toBe(0);
    expect(follower.stats().leftToLeader).toBe(N + 1);
    expect((await host('h0'))?.alive).toBe(true);
    const text = await createMetrics({ database: t.deps.database, ingestStats: () => follower.stats() })();
    expect(text).toMatch(/berth_ingest_messages_total\{outcome="left_to_leader"\} 41/);
  });

  it('a batch taken in under a lease that has since passed to another replica is not applied (fenced in the database)', async () => {
    const gate = gateOf();
    gate.answered(await take('a'), mono);
    const ingest = new IngestBatcher(t.deps, { liveness: gate, maxDelayMs: 60_000 });
    ingest.offer(hbTopic('h1'), hb('h1'));
    // Before the batch is written, 'b' takes the lease (a's expired on the database clock: released here).
    await t.deps.database.db.run(`UPDATE leases SET expires_at = 0 WHERE name = '${CONTROLLER_LEASE}'`);
    await take('b');
    await ingest.flush();
    expect(ingest.stats()).toMatchObject({ applied: 0, leftToLeader: 1 });
    expect(await host('h1')).toBeUndefined();
  });

  it('a replica frozen past the TTL drops what it took in before and what piled up, though its memory says it led', async () => {
    const gate = gateOf();
    gate.answered(await take('a'), mono);
    const ingest = new IngestBatcher(t.deps, { liveness: gate, maxDelayMs: 60_000 });
    ingest.offer(hbTopic('h1'), hb('h1'));
    mono += TTL; // frozen: no step renewed the lease
    ingest.offer(hbTopic('h2'), hb('h2'));
    await ingest.flush();
    expect(ingest.stats()).toMatchObject({ applied: 0, leftToLeader: 2 });
    expect(await host('h1')).toBeUndefined();
  });

  it('without a gate (the embedded broker, Workers) every heartbeat is applied, as before', async () => {
    const ingest = new IngestBatcher(t.deps);
    ingest.offer(hbTopic('h1'), hb('h1'));
    await ingest.flush();
    expect(ingest.stats()).toMatchObject({ applied: 1, leftToLeader: 0 });
  });
});
