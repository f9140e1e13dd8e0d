// berth/v1/events from the record: the one path by which events reach telemetry consumers. Every writer records
// its events in container_events inside its own transaction (the controller, ingest, the relay, API calls on any
// runtime — a Worker's API invocation has no broker connection); this pass, run by the lease holder with the
// relay, publishes the rows above a cursor kept in the lease row and then moves the cursor, fenced by the epoch.
// At least once: a pass that dies between publishing and moving the cursor (or a stale leader's) publishes those
// events again, so each carries its row id and consumers drop what they have seen. The first pass of a database
// starts at the newest event (consumers are not flooded with history; GET /v1/events has it).
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import { DB_NOW_MS } from '../controller/lease';
import { zEvent, type BerthEvent } from '../../shared/protocol/messages';
import { TOPIC_QOS, topics } from '../../shared/protocol/topics';
import { CONTROLLER_LEASE } from './fence';

export interface EventsPassOptions {
  /** Events per pass (default 500): a backlog goes out over several passes, in id order. */
  maxEvents?: number;
  /** How long a pass waits for the broker to take them (default 5 s); what it did not take goes out next pass. */
  publishTimeoutMs?: number;
}

export interface EventsPassResult {
  /** Events handed to the broker this pass. */
  published: number;
  /** The cursor after the pass (null: this replica does not hold `epoch`). */
  cursor: number | null;
}

/** One recorded event (a container_events row) as read for publishing. */
export interface RecordedEvent {
  id: number;
  at: number;
  type: string;
  containerId: string | null;
  hostId: string | null;
  reason: string;
}

/** The berth/v1/events payload of one recorded event (shared/protocol/messages.ts zEvent). */
export const eventMessage = (e: RecordedEvent): BerthEvent =>
  ({ v: 1, id: e.id, at: e.at, type: e.type, containerId: e.containerId, hostId: e.hostId, reason: e.reason });

type EventsDeps = Pick<Deps, 'database' | 'publisher' | 'logger'>;

/** The cursor and the page of events above it, in ONE statement; no row = `epoch` is not the lease's. */
const readPage = (deps: EventsDeps, epoch: number, limit: number) => deps.database.db.all<{ cursor: number | null; events: string }>(sql`
  SELECT l.events_published_id AS cursor, (SELECT json_group_array(json_array(e.id, e.at, e.type, e.container_id, e.host_id, e.reason))
    FROM (SELECT * FROM container_events WHERE id > l.events_published_id ORDER BY id LIMIT ${limit}) AS e) AS events
  FROM leases l WHERE l.name = ${CONTROLLER_LEASE} AND l.epoch = ${epoch}`);

/** Moves the cursor (never back), only for the current, unexpired epoch: a stale leader's pass changes nothing. */
const moveCursor = (deps: EventsDeps, epoch: number, to: number) => deps.database.write((tx) => tx.all<{ cursor: number }>(sql`
  UPDATE leases SET events_published_id = ${to}
  WHERE name = ${CONTROLLER_LEASE} AND epoch = ${epoch} AND expires_at >= ${DB_NOW_MS} AND coalesce(events_published_id, -1) < ${to}
  RETURNING events_published_id AS cursor`));

/** Creates the cursor at the newest event (nothing published); returns it, or null when `epoch` is not current. */
const startCursor = (deps: EventsDeps, epoch: number) => deps.database.write((tx) => tx.all<{ cursor: number }>(sql`
  UPDATE leases SET events_published_id = (SELECT coalesce(max(id), 0) FROM container_events)
  WHERE name = ${CONTROLLER_LEASE} AND epoch = ${epoch} AND expires_at >= ${DB_NOW_MS} AND events_published_id IS NULL
  RETURNING events_published_id AS cursor`));

/** One pass by the holder of `epoch` (the controller lease): publishes the recorded events above the cursor. */
export async function publishRecordedEvents(deps: EventsDeps, epoch: number, opts: EventsPassOptions = {}): Promise<EventsPassResult> {
  const [page] = await readPage(deps, epoch, opts.maxEvents ?? 500);
  if (!page) return { published: 0, cursor: null };
  if (page.cursor === null) return { published: 0, cursor: (await startCursor(deps, epoch))[0]?.cursor ?? null };
  const rows = (JSON.parse(page.events) as [number, number, string, string | null, string | null, string][])
    .map(([id, at, type, containerId, hostId, reason]): RecordedEvent => ({ id, at, type, containerId, hostId, reason }));
  if (rows.length === 0) return { published: 0, cursor: page.cursor };

  // Handed over in id order (one connection keeps the order); the cursor moves past the unbroken run that went.
  const outcomes = await Promise.all(rows.map(async (e) => {
    const msg = zEvent.safeParse(eventMessage(e));
    if (!msg.success) {
      // A row no consumer could decode (say a reason longer than the protocol allows) is skipped, not retried forever.
      deps.logger.error({ eventId: e.id, issues: msg.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'event not publishable; skipped');
      return 'skipped';
    }
    try {
      await withTimeout(deps.publisher.publish(topics.events, JSON.stringify(msg.data), TOPIC_QOS.events), opts.publishTimeoutMs ?? 5000);
      return 'sent';
    } catch (err) {
      deps.logger.warn({ eventId: e.id, err: String((err as Error)?.message ?? err) }, 'event not published; will retry');
      return 'failed';
    }
  }));
  const failed = outcomes.indexOf('failed');
  const done = failed === -1 ? outcomes.length : failed;
  if (done === 0) return { published: 0, cursor: page.cursor };
  const moved = await moveCursor(deps, epoch, rows[done - 1].id);
  return { published: outcomes.slice(0, done).filter((o) => o === 'sent').length, cursor: moved[0]?.cursor ?? null };
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
