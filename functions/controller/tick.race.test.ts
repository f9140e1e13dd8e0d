// The tick's transaction decides on what it reads itself: a write landing between the cheap look and the fenced
// transaction makes it plan again; with nothing in between, the look's plan (reused) gives the same answer.
import { eq, inArray } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { insertContainer, insertContainerGroup, insertHost } from '../services/hosts/test-fixtures';
import { containers, hosts } from '../db/schema';
import type { Database } from '../db/client';
import { ManualClock } from '../../shared/clock';
import { Controller } from './tick';

describe('Controller.tick under a concurrent writer', () => {
  let t: TestApp;
  let clock: ManualClock;
  const db = () => t.deps.database.db;
  const controller = (holder = 'replica-a') => new Controller(t.deps, { holder });
  const row = async (id: string) => (await db().select().from(containers).where(eq(containers.id, id)))[0];

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    t = await createTestApp({ clock });
    for (const h of ['host0', 'host1', 'host2']) await insertHost(db(), h, { alive: true, lastSeenAt: clock.now(), bootId: `${h}-b1` });
  });
  afterEach(() => t.close());

  it('plans again on what its transaction sees when the fleet changed after the look (and reuses the look otherwise)', async () => {
    const g = await insertContainerGroup(db(), { policy: 'least' });
    const a = await insertContainer(db(), { groupId: g });
    const b = await insertContainer(db(), { groupId: g });
    const database = t.deps.database;
    // The tick's first write takes the lease; right before its second (the fenced one, after the look) another
    // writer cordons host0 and host1, where the look would have put the containers.
    let writes = 0;
    const racing = Object.create(database, {
      write: {
        value: async <T>(fn: Parameters<Database['write']>[0]) => {
          if (++writes === 2) await database.write((tx) => tx.update(hosts).set({ cordoned: true }).where(inArray(hosts.id, ['host0', 'host1'])));
          return database.write(fn) as Promise<T>;
        },
      },
    }) as Database;
    const r = await new Controller({ ...t.deps, database: racing }, { holder: 'replica-a' }).tick();
    expect(r.applied.map((x) => x.type)).toEqual(['place', 'place']);
    expect([(await row(a)).hostId, (await row(b)).hostId]).toEqual(['host2', 'host2']);
    // Nothing raced: the same answer as planning inside the transaction.
    const c = await insertContainer(db(), { groupId: g });
    await db().update(hosts).set({ cordoned: false }).where(eq(hosts.id, 'host1'));
    await controller('replica-a').tick();
    expect((await row(c)).hostId).toBe('host1');
  });
});
