// GET /v1/events (admin only): the fleet-wide event feed as JSON (`?since=<id>`, `?limit=`), or — asked with
// `Accept: text/event-stream` — as server-sent events that follow the feed, resumable with Last-Event-ID.
// The stream polls the database (nothing lives in process memory, so the same code streams from `berth serve`
// and from a Worker) and ends after a bounded time; EventSource reconnects and resumes from its last id.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppContext, AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { parseWith } from '../../http/body';
import { listEvents } from '../../services/events/read';
import { EVENTS_PAGE_DEFAULT, eventCursor, eventsQuery, eventsResponse } from '../../../shared/model/events';

export { eventsQuery, eventsResponse };

export interface EventStreamOptions {
  /** How often the stream looks for new events. */
  pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  keepAliveMs: number;
  /** The stream ends after this long; the client reconnects with Last-Event-ID (bounds a Worker invocation). */
  maxStreamMs: number;
}

export const EVENT_STREAM_DEFAULTS: EventStreamOptions = { pollMs: 250, keepAliveMs: 15_000, maxStreamMs: 5 * 60_000 };

const wantsStream = (c: AppContext) => /\btext\/event-stream\b/i.test(c.req.header('accept') ?? '');

export function eventRoutes(opts: EventStreamOptions = EVENT_STREAM_DEFAULTS) {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => {
    const q = parseWith(eventsQuery, c.req.query(), 'query');
    if (!wantsStream(c)) return c.json({ events: await listEvents(c.var.deps.database.db, q) });
    const lastId = c.req.header('last-event-id');
    const resume = lastId === undefined || lastId === '' ? undefined : parseWith(eventCursor, lastId, 'Last-Event-ID');
    return stream(c, resume ?? q.since, q.limit, opts);
  });
  return r;
}

function stream(c: AppContext, since: number | undefined, limit: number | undefined, opts: EventStreamOptions) {
  const db = c.var.deps.database.db;
  return streamSSE(c, async (s) => {
    let aborted = false;
    s.onAbort(() => { aborted = true; });
    // Reconnect after 1 s; the comment line flushes the headers so the client knows it is connected.
    await s.write('retry: 1000\n: connected\n\n');
    // The first batch: what came after the cursor, or the newest page as JSON would give it.
    let cursor = since;
    let lastWrite = Date.now();
    const end = Date.now() + opts.maxStreamMs;
    while (!aborted && Date.now() < end) {
      const events = await listEvents(db, { since: cursor, limit });
      for (const e of events) {
        await s.writeSSE({ id: String(e.id), data: JSON.stringify(e) });
        cursor = e.id;
        lastWrite = Date.now();
      }
      if (cursor === undefined) cursor = 0;
      if (events.length === (limit ?? EVENTS_PAGE_DEFAULT)) continue;
      if (Date.now() - lastWrite >= opts.keepAliveMs) {
        await s.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      await s.sleep(opts.pollMs);
    }
  }, async (e, s) => {
    c.var.deps.logger.warn({ err: String(e?.message ?? e) }, 'event stream failed');
    await s.writeSSE({ event: 'error', data: JSON.stringify({ message: 'event stream failed; reconnect to resume' }) });
  });
}
