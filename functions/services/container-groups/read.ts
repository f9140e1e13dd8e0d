// Reading container groups (they are created by the translator, one per VPN router).
import { asc, eq } from 'drizzle-orm';
import { notFound } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { containerGroups } from '../../db/schema';
import { containerGroupView, type ContainerGroupRow } from './view';

export async function getContainerGroupRow(db: Db, id: string): Promise<ContainerGroupRow> {
  const [row] = await db.select().from(containerGroups).where(eq(containerGroups.id, id)).limit(1);
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
