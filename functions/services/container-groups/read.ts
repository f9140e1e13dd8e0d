// Reading container groups (they are created by the translator, one per VPN router).
import { asc } from 'drizzle-orm';
import { notFound } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { containerGroups } from '../../db/schema';
import { containerGroupView, type ContainerGroupRow } from './view';
import { findById } from '../../db/prepared';

export async function getContainerGroupRow(db: Db, id: string): Promise<ContainerGroupRow> {
  const row = await findById(db, containerGroups, id);
  if (!row) throw notFound(`container group ${id} not found`);
  return row;
}

export async function showContainerGroup(db: Db, id: string) {
  return containerGroupView(await getContainerGroupRow(db, id));
}

export async function listContainerGroups(db: Db) {
  const rows = await db.select().from(containerGroups).orderBy(asc(containerGroups.createdAt), asc(containerGroups.id));
  return rows.map(containerGroupView);
}
