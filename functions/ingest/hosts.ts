// Host liveness from presence and heartbeats: a pure fold of one host's messages (in arrival order) over its row,
// and the batched write of the results. Hosts register themselves: the first online presence or heartbeat of an
// unknown id creates its row (name = id).
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { hosts } from '../db/schema';
import { jsonIn, prepared } from '../db/prepared';
import type { Heartbeat, Presence } from '../../shared/protocol/messages';
import { markHostDirty } from '../services/hosts/write';
import { judgeReportedMark, readDatabaseId, readLeaseEpoch } from '../relay/fence';

export type HostRow = typeof hosts.$inferSelect;
type Liveness = Pick<HostRow, 'alive' | 'lastSeenAt' | 'lastHeartbeatAt' | 'bootId' | 'reportedCount' | 'reportedQuota' | 'load' | 'desiredGeneration' | 'fenceEpoch' | 'fenceHeld'>;
/** What ingest reads of a host row: its liveness, and what decides whether a bad mark ends. */
export type LiveRow = Liveness & Pick<HostRow, 'id' | 'badUntil'>;

export type HostMessage = { kind: 'presence'; value: Presence } | { kind: 'heartbeat'; value: Heartbeat };

export interface HostFold {
  /** The new liveness columns, or null when nothing applies (e.g. only a stale Last Will of an unknown host). */
  next: Liveness | null;
  created: boolean;
  died: boolean;
  /**
   * The host needs its desired document (re)published: it is new, it restarted (a new bootId: the broker may
   * have lost the retained copy), or it refuses what we would publish next (its fencing mark is ahead).
   */
  dirty: boolean;
  /** What the fencing marks of this batch did (for the log): raised above a restore/takeover, or a conflict. */
  fence?: { kind: 'restore' | 'takeover' | 'conflict' | 'implausible'; detail: string };
}

/** What a host's reported fencing mark is judged against (relay/fence.ts). */
export interface FenceContext { databaseId: string; leaseEpoch: number }

const EMPTY: Liveness = {
  alive: false, lastSeenAt: null, lastHeartbeatAt: null, bootId: null, reportedCount: null, reportedQuota: null, load: null, desiredGeneration: 0,
  fenceEpoch: 0, fenceHeld: false,
};

export function foldHost(row: LiveRow | undefined, msgs: readonly HostMessage[], now: number, ctx: FenceContext): HostFold {
  let cur: Liveness | null = row ? pick(row) : null;
  let dirty = false;
  let fence: HostFold['fence'];
  for (const m of msgs) {
    if (m.kind === 'presence' && !m.value.online) {
      // The Last Will (or a clean stop) of the session we know: dead at once. The will of an older session,
      // arriving after its successor said hello, changes nothing; neither does one for a host we never saw.
      if (cur && (cur.bootId === null || cur.bootId === m.value.bootId)) cur = { ...cur, alive: false };
      continue;
    }
    const base = cur ?? EMPTY;
    // A restarted agent (new bootId) gets its document again: an external broker may have lost the retained copy.
    if (base.bootId !== null && base.bootId !== m.value.bootId) dirty = true;
    // At a lease hand-over two replicas' writes meet (functions/ingest/liveness-gate.ts): one whose clock lags must not move
    // the host's last sighting back and so bring its judgement of silence forward.
    cur = { ...base, alive: true, lastSeenAt: Math.max(base.lastSeenAt ?? now, now), bootId: m.value.bootId };
    if (m.kind === 'heartbeat') {
      const hb = m.value;
      cur = { ...cur, lastHeartbeatAt: Math.max(base.lastHeartbeatAt ?? now, now), reportedCount: hb.count, reportedQuota: hb.quota, load: hb.load };
      // observedGeneration is never adopted (issue 9): only the fencing mark counts, and only for this host.
      if (hb.fence) {
        const v = judgeReportedMark(hb.fence, cur, ctx.leaseEpoch, ctx.databaseId);
        if (v.kind === 'ok') cur = { ...cur, fenceHeld: v.held };
        else if (v.kind === 'raise') {
          cur = { ...cur, fenceHeld: v.held, fenceEpoch: v.fenceEpoch, desiredGeneration: v.desiredGeneration };
          dirty = true;
          fence = { kind: v.why, detail: `agent holds epoch ${hb.fence.epoch} generation ${hb.fence.generation}` };
        } else if (v.kind === 'conflict') {
          fence = { kind: 'conflict', detail: `the host now follows database ${v.other}: another control plane uses this broker` };
        } else fence = { kind: 'implausible', detail: 'reported fencing mark beyond anything a control plane sends; dropped' };
      }
    }
  }
  const created = !row && cur !== null;
  return { next: cur, created, died: !!row?.alive && cur !== null && !cur.alive, dirty: dirty || created, ...(fence ? { fence } : {}) };
}

function pick(r: LiveRow): Liveness {
  const { alive, lastSeenAt, lastHeartbeatAt, bootId, reportedCount, reportedQuota, load, desiredGeneration, fenceEpoch, fenceHeld } = r;
  return { alive, lastSeenAt, lastHeartbeatAt, bootId, reportedCount, reportedQuota, load, desiredGeneration, fenceEpoch, fenceHeld };
}

export interface HostBatchResult {
  died: string[];
  created: string[];
  /** Fencing events of the batch, per host (restore, takeover, conflict, implausible mark). */
  fence: { hostId: string; kind: string; detail: string }[];
}

/** Applies every host's messages of one batch; returns the ids that died in it. */
export async function applyHostMessages(tx: Db, byHost: ReadonlyMap<string, HostMessage[]>, now: number): Promise<HostBatchResult> {
  const ids = [...byHost.keys()];
  if (ids.length === 0) return { died: [], created: [], fence: [] };
  const rows = await readLiveRows(tx, ids);
  const ctx: FenceContext = { databaseId: await readDatabaseId(tx), leaseEpoch: await readLeaseEpoch(tx) };
  const died: string[] = [];
  const created: string[] = [];
  const fence: HostBatchResult['fence'] = [];
  const updates: (Liveness & { id: string; clearBad: boolean })[] = [];
  for (const [id, msgs] of byHost) {
    const f = foldHost(rows.get(id), msgs, now, ctx);
    if (!f.next) continue;
    if (f.fence) fence.push({ hostId: id, ...f.fence });
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
  return { died, created, fence };
}

// The batch's rows as ONE JSON text (column names from the schema), parsed once: reading the whole rows through
// drizzle cost ~16 of the ~23 CPU µs a heartbeat costs in ingest (`npm run bench -- ingest`, issue 12).
const LIVE_COLUMNS = [hosts.id, hosts.alive, hosts.lastSeenAt, hosts.lastHeartbeatAt, hosts.bootId, hosts.reportedCount, hosts.reportedQuota, hosts.load, hosts.desiredGeneration, hosts.badUntil, hosts.fenceEpoch, hosts.fenceHeld];
const READ_LIVE = Symbol('ingest.readLiveRows');

export async function readLiveRows(tx: Db, ids: readonly string[]): Promise<Map<string, LiveRow>> {
  const q = prepared(tx, READ_LIVE, (d) => d.select({ rows: sql<string>`json_group_array(json_array(${sql.join(LIVE_COLUMNS, sql`, `)}))` })
    .from(hosts).where(jsonIn(hosts.id, 'ids')).prepare());
  const [{ rows }] = await q.all({ ids: JSON.stringify(ids) });
  const out = new Map<string, LiveRow>();
  for (const r of JSON.parse(rows) as [string, number, number | null, number | null, string | null, number | null, number | null, number | null, number, number | null, number, number][]) {
    out.set(r[0], {
      id: r[0], alive: r[1] === 1, lastSeenAt: r[2], lastHeartbeatAt: r[3], bootId: r[4], reportedCount: r[5], reportedQuota: r[6], load: r[7], desiredGeneration: r[8], badUntil: r[9],
      fenceEpoch: r[10], fenceHeld: r[11] === 1,
    });
  }
  return out;
}

/**
 * One statement for every known host of the batch (ingest's hot path: a fleet heartbeats twice a second).
 * updatedAt stays: it tells when an operator (or the agent's registration) changed the host, not liveness.
 */
async function updateLiveness(tx: Db, rows: (Liveness & { id: string; clearBad: boolean })[]): Promise<void> {
  const json = JSON.stringify(rows.map((r) => [r.id, r.alive ? 1 : 0, r.lastSeenAt, r.lastHeartbeatAt, r.bootId, r.reportedCount, r.reportedQuota, r.load, r.desiredGeneration, r.clearBad ? 1 : 0, r.fenceEpoch, r.fenceHeld ? 1 : 0]));
  await tx.run(sql`
    UPDATE hosts SET alive = j.v ->> 1, last_seen_at = j.v ->> 2, last_heartbeat_at = j.v ->> 3, boot_id = j.v ->> 4,
      reported_count = j.v ->> 5, reported_quota = j.v ->> 6, load = j.v ->> 7,
      -- Never lower: the relay may have claimed a newer generation since this batch read the row.
      desired_generation = max(hosts.desired_generation, j.v ->> 8), fence_epoch = max(hosts.fence_epoch, j.v ->> 10), fence_held = j.v ->> 11,
      bad_until = CASE WHEN j.v ->> 9 = 1 THEN NULL ELSE hosts.bad_until END
    FROM (SELECT value AS v FROM json_each(${json})) AS j
    WHERE hosts.id = j.v ->> 0`);
}
