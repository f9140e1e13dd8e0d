// How a control plane with no broker connection of its own (a Worker) knows it can hear the agents: every batch
// the HTTP ingest applies stamps the controller's lease row (heard_at, and hearing_since = the start of the
// current unbroken run of batches). The controller judges silence only while batches keep arriving — a dead
// bridge or webhook makes every host look silent at once, and must never turn into a fleet-wide failover.
// Why the window is half of hostDeadAfter: docs/decisions.md, "Serverless control plane (issue 8)".
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { DB_NOW_MS, type LeaseMemory } from './lease';

/**
 * Since when the agents have been heard without a gap longer than windowMs, or null when the last batch is
 * older than windowMs (deaf: nothing may be judged by silence).
 */
export function hearingFromIngest(m: Pick<LeaseMemory, 'heardAt' | 'hearingSince'>, now: number, windowMs: number): number | null {
  if (m.heardAt === null || m.hearingSince === null || now - m.heardAt > windowMs) return null;
  return m.hearingSince;
}

/**
 * Stamps an ingest batch on the controller lease row inside the batch's transaction. Returns how many ms the
 * lease has left on the database clock (null: no lease row yet), so the caller can tell whether a controller
 * step is due. No row yet: nothing stamped — the first step creates the row, the next batch stamps it.
 */
export async function recordHearing(tx: Db, name: string, now: number, windowMs: number): Promise<{ leaseLeftMs: number | null }> {
  const rows = await tx.all<{ left: number }>(sql`
    UPDATE leases SET
      hearing_since = CASE WHEN heard_at IS NULL OR hearing_since IS NULL OR ${now} - heard_at > ${windowMs} THEN ${now} ELSE hearing_since END,
      heard_at = ${now}
    WHERE name = ${name}
    RETURNING expires_at - ${DB_NOW_MS} AS left`);
  return { leaseLeftMs: rows[0] ? Number(rows[0].left) : null };
}
