// Silent hosts: a live host not heard from (presence or heartbeat) for hostDeadAfter is marked dead. A crash is
// caught sooner by the Last Will (ingest); this catches hosts that hang or lose the network without a will.
import { and, eq, lt, or, isNull } from 'drizzle-orm';
import type { Deps } from '../deps';
import { hosts } from '../db/schema';

/** DESIGN section 6: a silent host is dead after 2 s (> the agent's 1.5 s self-fence). */
export const HOST_DEAD_AFTER_MS = 2000;

export async function markSilentHostsDead(deps: Pick<Deps, 'database' | 'clock'>, deadAfterMs = HOST_DEAD_AFTER_MS): Promise<string[]> {
  const silent = (cutoff: number) => and(eq(hosts.alive, true), or(isNull(hosts.lastSeenAt), lt(hosts.lastSeenAt, cutoff)));
  // Cheap read first: the write lock is taken only when some host has gone quiet.
  const [any] = await deps.database.db.select({ id: hosts.id }).from(hosts).where(silent(deps.clock.now() - deadAfterMs)).limit(1);
  if (!any) return [];
  return deps.database.write(async (tx) => {
    // Judged again inside the transaction: a heartbeat may have landed in between.
    const rows = await tx.update(hosts).set({ alive: false }).where(silent(deps.clock.now() - deadAfterMs)).returning({ id: hosts.id });
    return rows.map((r) => r.id);
  });
}
