// The control plane's side of fencing across database resets and restores (issue 10): the pure rule as a table,
// then over a real database — a reported mark raises only the reporting host's documents, never the lease.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { insertHost } from '../services/hosts/test-fixtures';
import { dirtyHosts, hosts, leases } from '../db/schema';
import { zDesiredState, type DesiredState } from '../../shared/protocol/messages';
import type { Publisher } from '../deps';
import { IngestBatcher } from '../ingest/batcher';
import { judgeReportedMark, MAX_PLAUSIBLE_MARK, readDatabaseId } from './fence';
import { runRelay } from './relay';

const D = 'db-ours';
const host = (o: Partial<{ fenceEpoch: number; desiredGeneration: number; fenceHeld: boolean }> = {}) =>
  ({ fenceEpoch: 0, desiredGeneration: 5, fenceHeld: true, ...o });

describe('judgeReportedMark', () => {
  it.each([
    ['our own latest document: nothing to do', { database: D, epoch: 3, generation: 5 }, host(), 3, { kind: 'ok', held: true }],
    ['an older one of ours (a document in flight)', { database: D, epoch: 3, generation: 4 }, host(), 3, { kind: 'ok', held: true }],
    ['ours, ahead of what we published: a restored backup', { database: D, epoch: 7, generation: 40 }, host(), 3,
      { kind: 'raise', why: 'restore', held: true, fenceEpoch: 7, desiredGeneration: 40 }],
    ['ours, same epoch, later generation: a restored backup', { database: D, epoch: 3, generation: 9 }, host(), 3,
      { kind: 'raise', why: 'restore', held: true, fenceEpoch: 3, desiredGeneration: 9 }],
    ['ours, a generation we never built, under a newer lease epoch: a restored backup still republishes', { database: D, epoch: 1, generation: 9 }, host(), 3,
      { kind: 'raise', why: 'restore', held: true, fenceEpoch: 1, desiredGeneration: 9 }],
    ['another database, host never held ours: a fresh database takes it over', { database: 'db-old', epoch: 4, generation: 90 }, host({ fenceHeld: false, desiredGeneration: 0 }), 1,
      { kind: 'raise', why: 'takeover', held: false, fenceEpoch: 4, desiredGeneration: 90 }],
    ['an unnamed database (an agent from before issue 10), never held', { epoch: 4, generation: 90 }, host({ fenceHeld: false }), 1,
      { kind: 'raise', why: 'takeover', held: false, fenceEpoch: 4, desiredGeneration: 90 }],
    ['another database after the host held ours: a second control plane, no leapfrog', { database: 'db-other', epoch: 9, generation: 1 }, host(), 3,
      { kind: 'conflict', other: 'db-other' }],
    ['a mark no control plane could have sent is dropped', { database: D, epoch: MAX_PLAUSIBLE_MARK + 1, generation: 1 }, host(), 3, { kind: 'implausible' }],
    ['the host floor already above the mark', { database: D, epoch: 7, generation: 40 }, host({ fenceEpoch: 7, desiredGeneration: 41 }), 3, { kind: 'ok', held: true }],
  ] as const)('%s', (_n, mark, h, lease, want) => {
    expect(judgeReportedMark(mark, h, lease, D)).toEqual(want);
  });
});

class Recorder implements Publisher {
  docs: DesiredState[] = [];
  async publish(_t: string, payload: string) { this.docs.push(zDesiredState.parse(JSON.parse(payload))); }
}

describe('reported fencing marks over a real database', () => {
  let t: TestApp;
  let ingest: IngestBatcher;
  let pub: Recorder;
  let database: string;
  const db = () => t.deps.database.db;
  const row = async (id: string) => (await db().select().from(hosts).where(eq(hosts.id, id)))[0];
  const heartbeat = (h: string, fence?: object, bootId = 'boot-1') => JSON.stringify({
    v: 1, hostId: h, bootId, seq: 0, at: 1, observedGeneration: 0, count: 0, quota: -1, load: 5, ...(fence ? { fence } : {}),
  });
  const send = async (h: string, fence?: object) => { ingest.offer(`berth/v1/hosts/${h}/heartbeat`, heartbeat(h, fence)); await ingest.flush(); };
  const relay = async () => { pub.docs = []; await runRelay({ ...t.deps, publisher: pub }); return pub.docs; };
  const lease = async () => (await db().select().from(leases))[0];

  beforeEach(async () => {
    t = await createTestApp();
    ingest = new IngestBatcher(t.deps);
    pub = new Recorder();
    database = await readDatabaseId(db());
    await db().insert(leases).values({ name: 'controller', holder: 'me', epoch: 2, expiresAt: Date.now() + 60_000 });
    for (const h of ['host0', 'host1']) await insertHost(db(), h, { alive: true, bootId: 'boot-1', desiredGeneration: 3, fenceHeld: true });
  });
  afterEach(() => t.close());

  it('every database has its own identity, and documents carry it', async () => {
    expect(database).toMatch(/^[0-9a-f]{32}$/);
    const other = await createTestApp();
    try { expect(await readDatabaseId(other.deps.database.db)).not.toBe(database); } finally { await other.close(); }
    await db().insert(dirtyHosts).values({ hostId: 'host0', markedAt: 1 });
    expect(await relay()).toMatchObject([{ hostId: 'host0', epoch: 2, generation: 4, database }]);
  });

  it('restore: a mark of ours ahead of the lease lifts that host only, above it; the lease and other hosts are untouched', async () => {
    await send('host0', { database, epoch: 6, generation: 40 });
    expect(await row('host0')).toMatchObject({ fenceEpoch: 6, desiredGeneration: 40 });
    expect(await row('host1')).toMatchObject({ fenceEpoch: 0, desiredGeneration: 3 });
    expect(await lease()).toMatchObject({ epoch: 2 });
    expect(await relay()).toMatchObject([{ hostId: 'host0', epoch: 6, generation: 41, database }]);
    // The agent applied it and reports it: steady state, nothing more is published.
    await send('host0', { database, epoch: 6, generation: 41 });
    expect(await relay()).toEqual([]);
  });

  it('takeover: a fresh database registers a host holding another database’s mark and publishes above it', async () => {
    await send('fresh0', { database: 'db-old', epoch: 9, generation: 100 });
    expect(await row('fresh0')).toMatchObject({ fenceEpoch: 9, desiredGeneration: 100, fenceHeld: false });
    expect(await relay()).toMatchObject([{ hostId: 'fresh0', epoch: 9, generation: 101, database }]);
    await send('fresh0', { database, epoch: 9, generation: 101 });
    expect((await row('fresh0')).fenceHeld).toBe(true);
  });

  it('two control planes on one broker: a host that held ours and now follows another database is not taken back', async () => {
    await send('host0', { database, epoch: 2, generation: 3 });
    await send('host0', { database: 'db-intruder', epoch: 50, generation: 7 });
    expect(await row('host0')).toMatchObject({ fenceEpoch: 0, desiredGeneration: 3, fenceHeld: true });
    expect(await relay()).toEqual([]);
  });

  it('a hostile mark (beyond anything sent) is dropped: nothing changes', async () => {
    await send('host0', { database, epoch: 2 ** 50, generation: 2 ** 50 });
    expect(await row('host0')).toMatchObject({ fenceEpoch: 0, desiredGeneration: 3 });
    expect(await relay()).toEqual([]);
  });
});
