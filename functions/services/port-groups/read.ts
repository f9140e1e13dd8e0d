// Reading port groups with their members (member ids sorted, so output is stable).
import { asc, eq, inArray } from 'drizzle-orm';
import { notFound } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { portGroupMembers, portGroups, ports } from '../../db/schema';
import { portGroupView, type PortGroupRow } from './view';
import { findById } from '../../db/prepared';

export async function getPortGroupRow(db: Db, id: string): Promise<PortGroupRow> {
  const row = await findById(db, portGroups, id);
  if (!row) throw notFound(`port group ${id} not found`);
  return row;
}

/** Throws NOT_FOUND naming the first unknown port (members are rows of the southbound `ports` table). */
export async function requirePorts(db: Db, portIds: string[]): Promise<void> {
  if (portIds.length === 0) return;
  const found = new Set((await db.select({ id: ports.id }).from(ports).where(inArray(ports.id, portIds))).map((p) => p.id));
  const missing = portIds.find((p) => !found.has(p));
  if (missing !== undefined) throw notFound(`port ${missing} not found`);
}

export async function showPortGroup(db: Db, id: string) {
  const row = await getPortGroupRow(db, id);
  const members = await db.select({ portId: portGroupMembers.portId }).from(portGroupMembers)
    .where(eq(portGroupMembers.groupId, id)).orderBy(asc(portGroupMembers.portId));
  return portGroupView(row, members.map((m) => m.portId));
}

export async function listPortGroups(db: Db) {
  const rows = await db.select().from(portGroups).orderBy(asc(portGroups.name));
  const members = await db.select().from(portGroupMembers).orderBy(asc(portGroupMembers.portId));
  return rows.map((g) => portGroupView(g, members.filter((m) => m.groupId === g.id).map((m) => m.portId)));
}
