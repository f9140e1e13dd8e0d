// The fleet-wide event feed (GET /v1/events, DESIGN section 8): one event as the operator API shows it, and the
// query that pages it. Runtime-neutral zod, shared by the route, the CLI and the dashboard's contract tests.
import { z } from 'zod';

export const eventView = z.strictObject({
  /** Monotonically increasing (the container_events row id): the cursor for ?since= and Last-Event-ID. */
  id: z.number().int().positive(),
  at: z.string().describe('ISO 8601 time the event was recorded'),
  type: z.string().describe('scheduled, rescheduled, migrated, down, retries-exhausted, status, left-out, host-dead, host-bad, host-bad-cleared, …'),
  containerId: z.string().optional().describe('absent for an event about a host alone (host-dead, host-bad, …)'),
  hostId: z.string().optional(),
  reason: z.string(),
});
export type EventView = z.infer<typeof eventView>;

export const eventsResponse = z.strictObject({ events: z.array(eventView) });

/** An event id cursor: a non-negative integer given as text (query string or Last-Event-ID header). */
export const eventCursor = z.string().regex(/^\d{1,15}$/, 'expected a non-negative integer event id').transform(Number);

export const EVENTS_PAGE_DEFAULT = 100;
export const EVENTS_PAGE_MAX = 1000;

export const eventsQuery = z.strictObject({
  since: eventCursor.optional(),
  limit: z.string().regex(/^\d{1,4}$/, 'expected an integer').transform(Number)
    .pipe(z.number().int().min(1).max(EVENTS_PAGE_MAX)).optional(),
});
export type EventsQuery = z.infer<typeof eventsQuery>;
