// Reading hosts; containerCount is counted from the containers table (what the control plane placed there).
import { asc, count, eq, isNotNull } from 'drizzle-orm';
import { notFound } from '../../../shared/errors';
import type { Db } from '../../db/client';
import { containers, hosts } from '../../db/schema';
import { hostView, type HostRow } from './view';
import { findById } from '../../db/prepared';

export async function getHostRow(db: Db, id: string): Promise<HostRow> {
  const row = await findById(db, hosts, id);
  if (!row) throw notFound(`host ${id} not found`);
  return row;
}

export async function countContainersOn(db: Db, hostId: string): Promise<number> {
  const [r] = await db.select({ n: count() }).from(containers).where(eq(containers.hostId, hostId));
  return r?.n ?? 0;
}

export async function showHost(db: Db, id: string) {
  const row = await getHostRow(db, id);
  return hostView(row, await countContainersOn(db, id));
}

export async function listHosts(db: Db) {
  const rows = await db.select().from(hosts).orderBy(asc(hosts.id));
  const counts = await db
    .select({ hostId: containers.hostId, n: count() })
    .from(containers)
    .where(isNotNull(containers.hostId))
    .groupBy(containers.hostId);
  const byHost = new Map(counts.map((c) => [c.hostId, c.n]));
  return rows.map((h) => hostView(h, byHost.get(h.id) ?? 0));
}
