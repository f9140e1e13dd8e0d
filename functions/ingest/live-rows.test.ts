// readLiveRows (ingest's hot read, one JSON text per batch) must return exactly what the row holds — the same values
// a drizzle select maps — for every column the fold reads, nulls and booleans included.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { hosts } from '../db/schema';
import { readLiveRows } from './hosts';

describe('readLiveRows', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('returns the liveness columns of the asked hosts as drizzle would, and nothing for unknown ids', async () => {
    const now = 1_700_000_000_000;
    await t.deps.database.write((tx) => tx.insert(hosts).values([
      { id: 'a', name: 'a', alive: true, lastSeenAt: now, lastHeartbeatAt: now - 5, bootId: 'boot-a', reportedCount: 3, reportedQuota: -1, load: 42, desiredGeneration: 7, badUntil: now + 30_000, fenceEpoch: 9, fenceHeld: true, createdAt: now, updatedAt: now },
      { id: 'b', name: 'b', alive: false, createdAt: now, updatedAt: now },
      { id: 'c', name: 'c', alive: true, createdAt: now, updatedAt: now },
    ]));
    const got = await t.deps.database.write((tx) => readLiveRows(tx, ['a', 'b', 'nope']));
    expect([...got.keys()].sort()).toEqual(['a', 'b']);
    const want = await t.deps.database.db.select().from(hosts).where(inArray(hosts.id, ['a', 'b']));
    for (const w of want) {
      const { id, alive, lastSeenAt, lastHeartbeatAt, bootId, reportedCount, reportedQuota, load, desiredGeneration, badUntil, fenceEpoch, fenceHeld } = w;
      expect(got.get(w.id)).toEqual({ id, alive, lastSeenAt, lastHeartbeatAt, bootId, reportedCount, reportedQuota, load, desiredGeneration, badUntil, fenceEpoch, fenceHeld });
    }
    expect(got.get('b')!.alive).toBe(false);
    expect(got.get('a')!.badUntil).toBe(now + 30_000);
    expect(got.get('a')).toMatchObject({ fenceEpoch: 9, fenceHeld: true }); // issue 10: the fencing floor
  });
});
