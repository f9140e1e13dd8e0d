// Fleet rows written straight to the database for tests (hosts register through agents; groups and containers
// come from the translator), so /v1 tests can start from a known fleet.
import type { Db } from '../../db/client';
import { containerEvents, containerGroups, containers, hosts } from '../../db/schema';

type HostInsert = typeof hosts.$inferInsert;
type ContainerInsert = typeof containers.$inferInsert;

let n = 0;

export async function insertHost(db: Db, id: string, o: Partial<HostInsert> = {}) {
  const now = Date.now();
  await db.insert(hosts).values({ id, name: id, createdAt: now, updatedAt: now, ...o });
  return id;
}

export async function insertContainerGroup(db: Db, o: Partial<typeof containerGroups.$inferInsert> = {}) {
  const id = o.id ?? `cg-${++n}`;
  await db.insert(containerGroups).values({ id, routerId: `router-${id}`, createdAt: Date.now() + n, ...o });
  return id;
}

/** A container in its own group unless groupId is given; configurationId is unique per container. */
export async function insertContainer(db: Db, o: Partial<ContainerInsert> = {}) {
  const id = o.id ?? `c-${++n}`;
  const groupId = o.groupId ?? (await insertContainerGroup(db));
  const now = Date.now() + n;
  await db.insert(containers).values({
    id, groupId, portId: `port-${id}`, serviceType: 'IPSEC', configurationId: `router-${id}`,
    createdAt: now, updatedAt: now, ...o,
  });
  return id;
}

export async function insertContainerEvent(db: Db, containerId: string, o: { at: number; type: string; hostId?: string | null; reason?: string }) {
  await db.insert(containerEvents).values({ containerId, at: o.at, type: o.type, hostId: o.hostId ?? null, reason: o.reason ?? '' });
}
