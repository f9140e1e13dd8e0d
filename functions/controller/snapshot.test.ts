// The fleet snapshot read in one statement over a real libSQL database: every field the plan and the appliers
// read comes out as the rows say (flags, counts, host-group and port-group hosts, self-fenced time), and two
// reads compare equal exactly when nothing the snapshot is built from changed — including writes that touch no
// updated_at (a port bound elsewhere, a host-group member added), which a count/max(updated_at) check would miss.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { seedTopology } from '../../test/helpers/fixtures';
import { insertContainer, insertContainerGroup, insertHost } from '../services/hosts/test-fixtures';
import { containers, hostGroupMembers, hostGroups, hosts, portGroupMembers, portGroups, ports } from '../db/schema';
import type { Db } from '../db/client';
import { readFleetSnapshot, readFleetText, sameFleetText } from './snapshot';

describe('readFleetSnapshot', () => {
  let t: TestApp;
  const db = () => t.deps.database.db;
  const NOW = 1_700_000_000_000;

  async function bindPort(d: Db, routerId: string, id: string, hostId: string | null) {
    await d.insert(ports).values({ id, tenantId: 'tenant-a', routerId, kind: 'service', address: '169.254.0.1', prefixLen: 30, mac: 'fa:16:3e:00:00:01', hostId, createdAt: NOW });
  }

  /** h1 plain, h2 cordoned + hard limit 1 + bad, h3 dead; host group {h1, h2}; port group: ports on h3 and nowhere. */
  async function seed() {
    const { routerId } = await seedTopology(db());
    await insertHost(db(), 'h1', { alive: true, lastSeenAt: NOW, bootId: 'b1', containerWeight: 3 });
    await insertHost(db(), 'h2', { alive: true, lastSeenAt: NOW, cordoned: true, enforceContainerLimit: true, containerLimit: 1, badUntil: NOW + 5 });
    await insertHost(db(), 'h3', { alive: false, lastSeenAt: null });
    await db().insert(hostGroups).values({ id: 'hg', name: 'hg', createdAt: NOW });
    await db().insert(hostGroupMembers).values([{ groupId: 'hg', hostId: 'h1' }, { groupId: 'hg', hostId: 'h2' }]);
    await db().insert(portGroups).values({ id: 'pg', name: 'pg', createdAt: NOW });
    await bindPort(db(), routerId, 'p-bound', 'h3');
    await bindPort(db(), routerId, 'p-free', null);
    await db().insert(portGroupMembers).values([{ groupId: 'pg', portId: 'p-bound' }, { groupId: 'pg', portId: 'p-free' }]);
    await insertContainerGroup(db(), { id: 'g-w', policy: 'weighted', hostGroupId: 'hg', antiAffinity: true });
    await insertContainerGroup(db(), { id: 'g-l', policy: 'least', portGroupId: 'pg' });
    await insertContainerGroup(db(), { id: 'g-odd', policy: 'something-else', hostGroupId: 'hg-gone' });
    await insertContainer(db(), { id: 'c-up', groupId: 'g-w', hostId: 'h1', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 4, scheduledAt: NOW - 9, portId: 'port-up', configurationId: 'router-up' });
    await insertContainer(db(), { id: 'c-fenced', groupId: 'g-w', hostId: 'h1', schedulerState: 'UP', status: 'STOPPED', statusMessage: 'SELF_FENCED: broker gone', reportedAt: NOW - 3, placementGeneration: 2 });
    await insertContainer(db(), { id: 'c-down', groupId: 'g-l', retries: 3, nextAttemptAt: NOW + 100, updatedAt: NOW - 7 });
    await insertContainer(db(), { id: 'c-weird', groupId: 'g-odd', hostId: 'h2', schedulerState: 'NOPE', status: 'DANCING' });
  }

  beforeEach(async () => {
    t = await createTestApp();
    await seed();
  });
  afterEach(() => t.close());

  it('reads hosts with their flags and container counts', async () => {
    const snap = await readFleetSnapshot(db());
    const byId = Object.fromEntries(snap.hosts.map((h) => [h.id, h]));
    expect(byId).toEqual({
      h1: { id: 'h1', alive: true, containerWeight: 3, containerLimit: -1, enforceContainerLimit: false, cordoned: false, badUntil: null, containerCount: 2, lastSeenAt: NOW, bootId: 'b1' },
      h2: { id: 'h2', alive: true, containerWeight: 1, containerLimit: 1, enforceContainerLimit: true, cordoned: true, badUntil: NOW + 5, containerCount: 1, lastSeenAt: NOW, bootId: null },
      h3: { id: 'h3', alive: false, containerWeight: 1, containerLimit: -1, enforceContainerLimit: false, cordoned: false, badUntil: null, containerCount: 0, lastSeenAt: null, bootId: null },
    });
  });

  it('reads groups: policy, host-group members, hosts of the port group\'s bound ports, anti-affinity and occupancy', async () => {
    const { groups } = await readFleetSnapshot(db());
    expect({ ...groups['g-w'], hostGroupHostIds: [...groups['g-w'].hostGroupHostIds!].sort() }).toEqual({
      id: 'g-w', policy: 'weighted', hostGroupHostIds: ['h1', 'h2'], portGroupHostIds: null, antiAffinity: true, containerHosts: { 'c-up': 'h1', 'c-fenced': 'h1' },
    });
    expect(groups['g-l']).toEqual({ id: 'g-l', policy: 'least', hostGroupHostIds: null, portGroupHostIds: ['h3'], antiAffinity: false, containerHosts: { 'c-down': null } });
    // An unknown policy reads as least; a host group with no members fits nowhere.
    expect(groups['g-odd']).toMatchObject({ policy: 'least', hostGroupHostIds: [], portGroupHostIds: null });
  });

  it.each([
    ['c-up', { hostId: 'h1', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 4, scheduledAt: NOW - 9, attemptedAt: null, selfFencedAt: null }],
    ['c-fenced', { status: 'STOPPED', selfFencedAt: NOW - 3 }],
    ['c-down', { hostId: null, schedulerState: 'DOWN', retries: 3, nextAttemptAt: NOW + 100, attemptedAt: NOW - 7 }],
    ['c-weird', { schedulerState: 'DOWN', status: null }],
  ] as const)('reads container %s as the plan needs it', async (id, want) => {
    const snap = await readFleetSnapshot(db());
    expect(snap.containers.find((c) => c.id === id)).toMatchObject(want);
  });

  it('keeps each container\'s row for the appliers (port, router, generation)', async () => {
    const { rows } = await readFleetSnapshot(db());
    expect(rows.get('c-up')).toMatchObject({ portId: 'port-up', configurationId: 'router-up', placementGeneration: 4, hostId: 'h1', scheduledAt: NOW - 9 });
    expect(rows.size).toBe(4);
  });

  it.each<[string, (d: Db) => Promise<unknown>]>([
    ['a port of a port group bound elsewhere', (d) => d.update(ports).set({ hostId: 'h1' }).where(eq(ports.id, 'p-free'))],
    ['a host added to a host group', (d) => d.insert(hostGroupMembers).values({ groupId: 'hg', hostId: 'h3' })],
    ['a heartbeat', (d) => d.update(hosts).set({ lastSeenAt: NOW + 1 }).where(eq(hosts.id, 'h1'))],
    ['a container placed', (d) => d.update(containers).set({ hostId: 'h1' }).where(eq(containers.id, 'c-down'))],
  ])('two reads differ after %s, and are equal with nothing written between', async (_, write) => {
    const before = await readFleetText(db());
    expect(sameFleetText(before, await readFleetText(db()))).toBe(true);
    await write(db());
    expect(sameFleetText(before, await readFleetText(db()))).toBe(false);
  });
});
