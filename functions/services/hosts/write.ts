// Changing and removing hosts (one write transaction each). Hosts are created by their agents, not here.
import { eq, sql } from 'drizzle-orm';
import { conflict } from '../../../shared/errors';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { dirtyHosts, hostGroupMembers, hosts } from '../../db/schema';
import { revokeHostCredential } from './credentials';
import { countContainersOn, getHostRow, showHost } from './read';
import type { PatchHostBody } from './schemas';

const PATCHABLE = ['containerWeight', 'containerLimit', 'enforceContainerLimit', 'cordoned'] as const;

/** Outbox entry: the relay republishes the host's desired document. Re-marking refreshes markedAt so a relay
 *  that read the older mark and deletes by (hostId, markedAt) does not swallow this change. */
export async function markHostsDirty(tx: Db, hostIds: Iterable<string>, now: number) {
  for (const step of markHostsDirtySteps(tx, hostIds, now)) await step;
}

/** markHostsDirty as a statement for a batch (functions/db/batch.ts); none when there is no host. */
export function markHostsDirtySteps(tx: Db, hostIds: Iterable<string>, now: number) {
  const ids = [...new Set(hostIds)];
  if (ids.length === 0) return [];
  // One statement for any number of hosts (WHERE true: SQLite's upsert-after-SELECT rule).
  return [tx.run(sql`
    INSERT INTO ${dirtyHosts} (host_id, marked_at) SELECT value, ${now} FROM json_each(${JSON.stringify(ids)}) WHERE true
    ON CONFLICT (host_id) DO UPDATE SET marked_at = excluded.marked_at`)];
}

export const markHostDirty = (tx: Db, hostId: string, now: number) => markHostsDirty(tx, [hostId], now);

export async function updateHost(deps: Deps, id: string, body: PatchHostBody) {
  return deps.database.write(async (tx) => {
    const row = await getHostRow(tx, id);
    const changed = PATCHABLE.some((k) => body[k] !== undefined && body[k] !== row[k]);
    if (changed) {
      const now = deps.clock.now();
      // The strict body holds only these columns; drizzle skips the undefined ones.
      await tx.update(hosts).set({ ...body, updatedAt: now }).where(eq(hosts.id, id));
      // Every patchable field changes what the host may run (eligibility, limits the agent enforces).
      await markHostDirty(tx, id, now);
    }
    return showHost(tx, id);
  });
}

export async function deleteHost(deps: Deps, id: string) {
  await deps.database.write(async (tx) => {
    const row = await getHostRow(tx, id);
    if (row.alive) throw conflict(`host ${id} is alive; stop its agent first (and wait until the host is reported dead), then delete it`);
    const n = await countContainersOn(tx, id);
    if (n > 0) throw conflict(`host ${id} still has ${n} container(s); drain it first (POST /v1/hosts/${id}/drain), then delete it`);
    // Group membership names hosts by id without a foreign key: drop it so no group lists a host that is gone.
    await tx.delete(hostGroupMembers).where(eq(hostGroupMembers.hostId, id));
    await tx.delete(hosts).where(eq(hosts.id, id));
    await revokeHostCredential(tx, id);
  });
  deps.credentialChanged?.(id);
}
