// How long a failover took, judged when the moved container reports RUNNING on its new host: from the last time
// the dead host was heard (the outage as users saw it begin) to now. Only moves the controller made because the
// host died count (not migrations, drains or a bad host). Reads only; runs inside the ingest transaction.
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { containerEvents, hosts } from '../db/schema';
import { HOST_DEAD } from '../controller/plan';

/** Milliseconds per failover completed now, for the containers that just came up after a move. */
export async function failoverDurations(tx: Db, recovered: readonly string[], now: number): Promise<number[]> {
  const out: number[] = [];
  for (const id of recovered) {
    const [moved] = await tx.select({ type: containerEvents.type, reason: containerEvents.reason, detail: containerEvents.detail })
      .from(containerEvents).where(and(eq(containerEvents.containerId, id), inArray(containerEvents.type, ['rescheduled', 'migrated'])))
      .orderBy(desc(containerEvents.id)).limit(1);
    const from = moved?.detail?.from;
    if (moved?.type !== 'rescheduled' || !moved.reason.endsWith(HOST_DEAD) || typeof from !== 'string') continue;
    const [host] = await tx.select({ lastSeenAt: hosts.lastSeenAt }).from(hosts).where(eq(hosts.id, from));
    if (host?.lastSeenAt != null) out.push(Math.max(0, now - host.lastSeenAt));
  }
  return out;
}
