// The tick's transaction decides on what it reads itself: a write landing between the cheap look and the fenced
// transaction makes it plan again — also a write that bumps no updated_at (a port bound elsewhere); with nothing
// in between, the look's plan (reused) gives the same answer.
import { eq, inArray } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { insertContainer, insertContainerGroup, insertHost } from '../services/hosts/test-fixtures';
import { seedTopology } from '../../test/helpers/fixtures';
import { containers, hosts, portGroupMembers, portGroups, ports } from '../db/schema';
import type { Database } from '../db/client';
import { ManualClock } from '../../shared/clock';
import { Controller } from './tick';

describe('Controller.tick under a concurrent writer', () => {
  let t: TestApp;
  let clock: ManualClock;
  const db = () => t.deps.database.db;
  const controller = (holder = 'replica-a') => new Controller(t.deps, { holder });
  const row = async (id: string) => (await db().select().from(containers).where(eq(containers.id, id)))[0];
  /** The database, with `race` written just before the tick's second write (the fenced one, after the look). */
  const racing = (race: () => Promise<unknown>) => {
    const database = t.deps.database;
    let writes = 0;
    return Object.create(database, {
      write: {
        value: async <T>(fn: Parameters<Database['write']>[0]) => {
          if (++writes === 2) await race();
          return database.write(fn) as Promise<T>;
        },
      },
    }) as Database;
  };

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
    // The tick's first write takes the lease; right before its second another writer cordons host0 and host1,
    // where the look would have put the containers.
    const database = racing(() => t.deps.database.write((tx) => tx.update(hosts).set({ cordoned: true }).where(inArray(hosts.id, ['host0', 'host1']))));
    const r = await new Controller({ ...t.deps, database }, { holder: 'replica-a' }).tick();
    expect(r.applied.map((x) => x.type)).toEqual(['place', 'place']);
    expect([(await row(a)).hostId, (await row(b)).hostId]).toEqual(['host2', 'host2']);
    // Nothing raced: the same answer as planning inside the transaction.
    const c = await insertContainer(db(), { groupId: g });
    await db().update(hosts).set({ cordoned: false }).where(eq(hosts.id, 'host1'));
    await controller('replica-a').tick();
    expect((await row(c)).hostId).toBe('host1');
  });

  it('plans again when only a port binding changed after the look (port-group affinity follows the port)', async () => {
    const { routerId } = await seedTopology(db());
    await db().insert(ports).values({ id: 'p1', tenantId: 'tenant-a', routerId, kind: 'service', address: '169.254.0.1', prefixLen: 30, mac: 'fa:16:3e:00:00:01', hostId: 'host0', createdAt: 1 });
    await db().insert(portGroups).values({ id: 'pg', name: 'pg', createdAt: 1 });
    await db().insert(portGroupMembers).values({ groupId: 'pg', portId: 'p1' });
    const c = await insertContainer(db(), { groupId: await insertContainerGroup(db(), { portGroupId: 'pg' }) });
    // No updated_at anywhere changes: only ports.host_id.
    const database = racing(() => t.deps.database.write((tx) => tx.update(ports).set({ hostId: 'host2' }).where(eq(ports.id, 'p1'))));
    const r = await new Controller({ ...t.deps, database }, { holder: 'replica-a' }).tick();
    expect(r.applied).toMatchObject([{ type: 'place', containerId: c, hostId: 'host2' }]);
    expect((await row(c)).hostId).toBe('host2');
  });
});
