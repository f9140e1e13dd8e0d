// The one home for recording events (container_events; GET /v1/events reads them, the lease holder's relay pass
// publishes them on berth/v1/events: functions/relay/events.ts). Every writer — the controller, ingest, operator
// actions — records inside its own write transaction, so an event exists exactly when its change does.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { containerEvents } from '../../db/schema';
import { bareColumn } from '../../db/sql-names';
import type { EventType } from '../../controller/types';

export interface ContainerEvent {
  /** null: an event about a host alone. */
  containerId: string | null;
  type: EventType | string;
  hostId: string | null;
  reason: string;
  detail?: Record<string, unknown>;
  at: number;
}

/** Appends to container_events, events about a host alone (containerId null) included: GET /v1/events shows them. */
export async function recordEvent(tx: Db, e: ContainerEvent): Promise<void> {
  await recordEvents(tx, [e]);
}

/** recordEvent for many, in order (one statement). */
export async function recordEvents(tx: Db, events: readonly ContainerEvent[]): Promise<void> {
  for (const step of recordEventsSteps(tx, events)) await step;
}

const EVENT_COLUMNS = [containerEvents.containerId, containerEvents.at, containerEvents.type, containerEvents.hostId, containerEvents.reason, containerEvents.detail];

/** recordEvents as a statement for a batch (none for no events), for callers that send several in one trip. */
export function recordEventsSteps(tx: Db, events: readonly ContainerEvent[]) {
  const rows = events.map((e) => [e.containerId, e.at, e.type, e.hostId, e.reason, e.detail ?? null]);
  if (rows.length === 0) return [];
  // detail is stored as its JSON text (what drizzle's json column stores): ->> of an object gives exactly that text
  // (JSON.stringify's, byte for byte), and SQL NULL for none — no 10,000 strings encoded twice.
  return [tx.run(sql`
    INSERT INTO ${containerEvents} (${sql.join(EVENT_COLUMNS.map(bareColumn), sql`, `)})
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5
    FROM json_each(${JSON.stringify(rows)}) ORDER BY key`)];
}
