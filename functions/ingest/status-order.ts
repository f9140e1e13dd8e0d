// Status reports in order (docs/decisions.md, "Status reports in order: a sequence per boot"). Reports reach the
// control plane through a shared subscription (or retried HTTP deliveries), so one held by a frozen replica can
// arrive after a newer one applied by another. Agents number their reports per boot (`seq`); a report is applied
// only if it is newer than the newest applied for its host, judged in the batch's write transaction (BEGIN
// IMMEDIATE: two replicas' batches cannot both read the same mark and both win). Pure judgement + two statements.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { hosts } from '../db/schema';
import { jsonIn, prepared } from '../db/prepared';
import { bareColumn } from '../db/sql-names';
import type { StatusMessage } from '../../shared/protocol/messages';

/** What a report is judged against: the host's current boot (its latest presence or heartbeat) and the mark. */
export interface StatusMark {
  bootId: string | null;
  statusBootId: string | null;
  statusSeq: number | null;
}

/**
 * apply; out_of_order: this boot's report with a seq not above the newest applied; other_boot: a report of a boot
 * that is not the host's current one (a late report of the agent's previous life must not undo the new one's).
 */
export type StatusVerdict = 'apply' | 'out_of_order' | 'other_boot';
export type StatusDrop = Exclude<StatusVerdict, 'apply'>;

type Numbered = Pick<StatusMessage, 'bootId' | 'seq'>;

export function judgeStatus(mark: StatusMark | undefined, msg: Numbered): StatusVerdict {
  // An agent that does not number its reports (before this change) is applied as it arrives, as it always was.
  if (msg.seq === undefined) return 'apply';
  // No row: nothing can be placed on the host, so nothing to order against (and no mark to keep).
  if (!mark) return 'apply';
  if (mark.bootId !== null && mark.bootId !== msg.bootId) return 'other_boot';
  if (mark.statusBootId === msg.bootId && mark.statusSeq !== null && msg.seq <= mark.statusSeq) return 'out_of_order';
  return 'apply';
}

/** Within one batch: whether `next` (arriving after `kept`, same host) is older than `kept` and so is dropped. */
export const arrivedLate = (kept: Numbered, next: Numbered): boolean =>
  kept.seq !== undefined && next.seq !== undefined && kept.bootId === next.bootId && next.seq <= kept.seq;

export interface OrderedReports {
  /** The reports to apply, by host. */
  accepted: Map<string, StatusMessage>;
  dropped: Record<StatusDrop, number>;
}

/**
 * Judges each host's newest report of the batch against its mark and moves the mark of the numbered ones
 * accepted. Costs nothing for unnumbered reports; otherwise one read and one write per batch.
 */
export async function orderStatusReports(tx: Db, latest: ReadonlyMap<string, StatusMessage>): Promise<OrderedReports> {
  const dropped: Record<StatusDrop, number> = { out_of_order: 0, other_boot: 0 };
  const numbered = [...latest.values()].filter((m) => m.seq !== undefined).map((m) => m.hostId);
  if (numbered.length === 0) return { accepted: new Map(latest), dropped };
  const marks = await readMarks(tx, numbered);
  const accepted = new Map<string, StatusMessage>();
  const moved: [string, string, number][] = [];
  for (const [hostId, msg] of latest) {
    const verdict = judgeStatus(marks.get(hostId), msg);
    if (verdict !== 'apply') {
      dropped[verdict]++;
      continue;
    }
    accepted.set(hostId, msg);
    if (msg.seq !== undefined && marks.has(hostId)) moved.push([hostId, msg.bootId, msg.seq]);
  }
  if (moved.length > 0) await writeMarks(tx, moved);
  return { accepted, dropped };
}

// The marks as ONE JSON text, as functions/ingest/hosts.ts reads liveness rows (drizzle's row mapping is the cost).
const MARK_COLUMNS = [hosts.id, hosts.bootId, hosts.statusBootId, hosts.statusSeq];
const READ_MARKS = Symbol('ingest.readStatusMarks');

async function readMarks(tx: Db, ids: readonly string[]): Promise<Map<string, StatusMark>> {
  const q = prepared(tx, READ_MARKS, (d) => d.select({ rows: sql<string>`json_group_array(json_array(${sql.join(MARK_COLUMNS, sql`, `)}))` })
    .from(hosts).where(jsonIn(hosts.id, 'ids')).prepare());
  const [{ rows }] = await q.all({ ids: JSON.stringify(ids) });
  const rowsOf = JSON.parse(rows) as [string, string | null, string | null, number | null][];
  return new Map(rowsOf.map(([id, bootId, statusBootId, statusSeq]) => [id, { bootId, statusBootId, statusSeq }]));
}

async function writeMarks(tx: Db, moved: readonly [string, string, number][]): Promise<void> {
  await tx.run(sql`UPDATE ${hosts} SET ${bareColumn(hosts.statusBootId)} = j.value ->> 1, ${bareColumn(hosts.statusSeq)} = j.value ->> 2
    FROM json_each(${JSON.stringify(moved)}) AS j WHERE ${hosts.id} = j.value ->> 0`);
}
