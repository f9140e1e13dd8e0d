// Reading host groups with their members (member ids sorted, so output is stable).
import { asc, eq, inArray } from 'drizzle-orm';
import { notFound } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { hostGroupMembers, hostGroups, hosts } from '../../db/schema';
import { hostGroupView, type HostGroupRow } from './view';
import { findById } from '../../db/prepared';

export async function getHostGroupRow(db: Db, id: string): Promise<HostGroupRow> {
  const row = await findById(db, hostGroups, id);
  if (!row) throw notFound(`host group ${id} not found`);
  return row;
}

/** Throws NOT_FOUND naming the first unknown host. */
export async function requireHosts(db: Db, hostIds: string[]): Promise<void> {
  if (hostIds.length === 0) return;
  const found = new Set((await db.select({ id: hosts.id }).from(hosts).where(inArray(hosts.id, hostIds))).map((h) => h.id));
  const missing = hostIds.find((h) => !found.has(h));
  if (missing !== undefined) throw notFound(`host ${missing} not found`);
}

export async function showHostGroup(db: Db, id: string) {
  const row = await getHostGroupRow(db, id);
  const members = await db.select({ hostId: hostGroupMembers.hostId }).from(hostGroupMembers)
    .where(eq(hostGroupMembers.groupId, id)).orderBy(asc(hostGroupMembers.hostId));
  return hostGroupView(row, members.map((m) => m.hostId));
}

export async function listHostGroups(db: Db) {
  const rows = await db.select().from(hostGroups).orderBy(asc(hostGroups.name));
  const members = await db.select().from(hostGroupMembers).orderBy(asc(hostGroupMembers.hostId));
  return rows.map((g) => hostGroupView(g, members.filter((m) => m.groupId === g.id).map((m) => m.hostId)));
}
