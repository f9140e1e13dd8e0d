// The fleet-wide event feed read from container_events (append-only, events about a host alone included; its autoincrement id is the append order and
// the feed's cursor). Without a cursor: the newest page, oldest first. With one: what came after it, oldest first,
// so a client pages (or a stream polls) forward without gaps.
import { asc, desc, gt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { containerEvents } from '../../db/schema';
import { EVENTS_PAGE_DEFAULT, type EventView } from '../../../shared/model/events';
import type { ContainerEventRow } from '../containers/view';

export const eventView = (e: ContainerEventRow): EventView => ({
  id: e.id,
  at: new Date(e.at).toISOString(),
  type: e.type,
  ...(e.containerId ? { containerId: e.containerId } : {}),
  ...(e.hostId ? { hostId: e.hostId } : {}),
  reason: e.reason,
});

export async function listEvents(db: Db, q: { since?: number; limit?: number } = {}): Promise<EventView[]> {
  const limit = q.limit ?? EVENTS_PAGE_DEFAULT;
  if (q.since !== undefined) {
    const rows = await db.select().from(containerEvents).where(gt(containerEvents.id, q.since)).orderBy(asc(containerEvents.id)).limit(limit);
    return rows.map(eventView);
  }
  const rows = await db.select().from(containerEvents).orderBy(desc(containerEvents.id)).limit(limit);
  return rows.reverse().map(eventView);
}
