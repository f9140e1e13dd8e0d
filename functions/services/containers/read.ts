// Reading containers (optionally filtered) and a container's event history, oldest first.
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { notFound } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { containerEvents, containers } from '../../db/schema';
import type { ListContainersQuery } from './schemas';
import { containerEventView, containerView, type ContainerRow } from './view';
import { findById } from '../../db/prepared';

export async function getContainerRow(db: Db, id: string): Promise<ContainerRow> {
  const row = await findById(db, containers, id);
  if (!row) throw notFound(`container ${id} not found`);
  return row;
}

export async function showContainer(db: Db, id: string) {
  return containerView(await getContainerRow(db, id));
}

export async function listContainers(db: Db, q: ListContainersQuery = {}) {
  const conds: SQL[] = [];
  if (q.hostId !== undefined) conds.push(eq(containers.hostId, q.hostId));
  if (q.status !== undefined) conds.push(eq(containers.status, q.status));
  if (q.schedulerState !== undefined) conds.push(eq(containers.schedulerState, q.schedulerState));
  if (q.groupId !== undefined) conds.push(eq(containers.groupId, q.groupId));
  if (q.configurationId !== undefined) conds.push(eq(containers.configurationId, q.configurationId));
  const rows = await db.select().from(containers).where(and(...conds)).orderBy(asc(containers.createdAt), asc(containers.id));
  return rows.map(containerView);
}

export async function listContainerEvents(db: Db, id: string) {
  await getContainerRow(db, id);
  // The autoincrement id is the append order; `at` may tie (same millisecond) or step back across replicas.
  const rows = await db.select().from(containerEvents).where(eq(containerEvents.containerId, id)).orderBy(asc(containerEvents.id));
  return rows.map(containerEventView);
}
