// Host liveness from presence and heartbeats: a pure fold of one host's messages (in arrival order) over its row,
// and the batched write of the results. Hosts register themselves: the first online presence or heartbeat of an
// unknown id creates its row (name = id).
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { hosts } from '../db/schema';
import { jsonIn, prepared } from '../db/prepared';
import type { Heartbeat, Presence } from '../../shared/protocol/messages';
import { markHostDirty } from '../services/hosts/write';

export type HostRow = typeof hosts.$inferSelect;
type Liveness = Pick<HostRow, 'alive' | 'lastSeenAt' | 'lastHeartbeatAt' | 'bootId' | 'reportedCount' | 'reportedQuota' | 'load' | 'desiredGeneration'>;
/** What ingest reads of a host row: its liveness, and what decides whether a bad mark ends. */
export type LiveRow = Liveness & Pick<HostRow, 'id' | 'badUntil'>;

export type HostMessage = { kind: 'presence'; value: Presence } | { kind: 'heartbeat'; value: Heartbeat };

export interface HostFold {
  /** The new liveness columns, or null when nothing applies (e.g. only a stale Last Will of an unknown host). */
  next: Liveness | null;
  created: boolean;
  died: boolean;
  /** The host needs its desired document (re)published: it is new, or it has seen a newer generation than ours. */
  dirty: boolean;
}

const EMPTY: Liveness = {
  alive: false, lastSeenAt: null, lastHeartbeatAt: null, bootId: null, reportedCount: null, reportedQuota: null, load: null, desiredGeneration: 0,
};

export function foldHost(row: LiveRow | undefined, msgs: readonly HostMessage[], now: number): HostFold {
  let cur: Liveness | null = row ? pick(row) : null;
  let dirty = false;
  for (const m of msgs) {
    if (m.kind === 'presence' && !m.value.online) {
      // The Last Will (or a clean stop) of the session we know: dead at once. The will of an older session,
      // arriving after its successor said hello, changes nothing; neither does one for a host we never saw.
      if (cur && (cur.bootId === null || cur.bootId === m.value.bootId)) cur = { ...cur, alive: false };
      continue;
    }
    const base = cur ?? EMPTY;
    cur = { ...base, alive: true, lastSeenAt: now, bootId: m.value.bootId };
    if (m.kind === 'heartbeat') {
      const hb = m.value;
      cur = { ...cur, lastHeartbeatAt: now, reportedCount: hb.count, reportedQuota: hb.quota, load: hb.load };
      // The agent ignores documents older than what it has applied: never publish below that (a re-created host
      // row, a restored database) — jump to it, and the next document goes out one above.
      if (hb.observedGeneration > cur.desiredGeneration) {
        cur = { ...cur, desiredGeneration: hb.observedGeneration };
        dirty = true;
      }
    }
  }
  const created = !row && cur !== null;
  return { next: cur, created, died: !!row?.alive && cur !== null && !cur.alive, dirty: dirty || created };
}

function pick(r: LiveRow): Liveness {
  const { alive, lastSeenAt, lastHeartbeatAt, bootId, reportedCount, reportedQuota, load, desiredGeneration } = r;
  return { alive, lastSeenAt, lastHeartbeatAt, bootId, reportedCount, reportedQuota, load, desiredGeneration };
}

/** Applies every host's messages of one batch; returns the ids that died in it. */
export async function applyHostMessages(tx: Db, byHost: ReadonlyMap<string, HostMessage[]>, now: number): Promise<{ died: string[]; created: string[] }> {
  const ids = [...byHost.keys()];
  if (ids.length === 0) return { died: [], created: [] };
  const rows = await readLiveRows(tx, ids);
  const died: string[] = [];
  const created: string[] = [];
  const updates: (Liveness & { id: string; clearBad: boolean })[] = [];
  for (const [id, msgs] of byHost) {
    const f = foldHost(rows.get(id), msgs, now);
    if (!f.next) continue;
    if (f.created) {
      await tx.insert(hosts).values({ id, name: id, ...f.next, createdAt: now, updatedAt: now })
        // Two replicas may register the same host at once: the second one's row is an update.
        .onConflictDoUpdate({ target: hosts.id, set: f.next });
      created.push(id);
    } else {
      // A new bootId (the agent restarted) ends a bad mark early (docs/decisions.md: "A bad mark ends ...").
      const row = rows.get(id)!;
      updates.push({ id, ...f.next, clearBad: row.badUntil !== null && row.bootId !== null && f.next.bootId !== row.bootId });
    }
    if (f.died) died.push(id);
    if (f.dirty) await markHostDirty(tx, id, now);
  }
  if (updates.length > 0) await updateLiveness(tx, updates);
  return { died, created };
}

// The batch's rows as ONE JSON text (column names from the schema), parsed once: reading the whole rows through
// drizzle cost ~16 of the ~23 CPU µs a heartbeat costs in ingest (`npm run bench -- ingest`, issue 12).
const LIVE_COLUMNS = [hosts.id, hosts.alive, hosts.lastSeenAt, hosts.lastHeartbeatAt, hosts.bootId, hosts.reportedCount, hosts.reportedQuota, hosts.load, hosts.desiredGeneration, hosts.badUntil];
const READ_LIVE = Symbol('ingest.readLiveRows');

export async function readLiveRows(tx: Db, ids: readonly string[]): Promise<Map<string, LiveRow>> {
  const q = prepared(tx, READ_LIVE, (d) => d.select({ rows: sql<string>`json_group_array(json_array(${sql.join(LIVE_COLUMNS, sql`, `)}))` })
    .from(hosts).where(jsonIn(hosts.id, 'ids')).prepare());
  const [{ rows }] = await q.all({ ids: JSON.stringify(ids) });
  const out = new Map<string, LiveRow>();
  for (const r of JSON.parse(rows) as [string, number, number | null, number | null, string | null, number | null, number | null, number | null, number, number | null][]) {
    out.set(r[0], {
      id: r[0], alive: r[1] === 1, lastSeenAt: r[2], lastHeartbeatAt: r[3], bootId: r[4], reportedCount: r[5], reportedQuota: r[6], load: r[7], desiredGeneration: r[8], badUntil: r[9],
    });
  }
  return out;
}

/**
 * One statement for every known host of the batch (ingest's hot path: a fleet heartbeats twice a second).
 * updatedAt stays: it tells when an operator (or the agent's registration) changed the host, not liveness.
 */
async function updateLiveness(tx: Db, rows: (Liveness & { id: string; clearBad: boolean })[]): Promise<void> {
  const json = JSON.stringify(rows.map((r) => [r.id, r.alive ? 1 : 0, r.lastSeenAt, r.lastHeartbeatAt, r.bootId, r.reportedCount, r.reportedQuota, r.load, r.desiredGeneration, r.clearBad ? 1 : 0]));
  await tx.run(sql`
    UPDATE hosts SET alive = j.v ->> 1, last_seen_at = j.v ->> 2, last_heartbeat_at = j.v ->> 3, boot_id = j.v ->> 4,
      reported_count = j.v ->> 5, reported_quota = j.v ->> 6, load = j.v ->> 7, desired_generation = j.v ->> 8,
      bad_until = CASE WHEN j.v ->> 9 = 1 THEN NULL ELSE hosts.bad_until END
    FROM (SELECT value AS v FROM json_each(${json})) AS j
    WHERE hosts.id = j.v ->> 0`);
}
