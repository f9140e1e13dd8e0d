// The one home for publishing events on berth/v1/events (telemetry, best effort, QoS 0). Every event published
// here has been recorded in container_events by the same transaction (controller/apply.ts recordEvents), so
// GET /v1/events shows everything a telemetry consumer saw — and more: what a consumer missed is in the feed.
// Called after the transaction committed (never inside one that may be retried); never throws.
import { topics } from '../../../shared/protocol/topics';
import type { BerthEvent } from '../../../shared/protocol/messages';
import type { Publisher } from '../../deps';
import type { ContainerEvent } from '../../controller/apply';

/** The berth/v1/events payload of one recorded event (shared/protocol/messages.ts zEvent). */
export const eventMessage = (e: ContainerEvent): BerthEvent =>
  ({ v: 1, at: e.at, type: e.type, containerId: e.containerId, hostId: e.hostId, reason: e.reason });

export async function publishEvents(deps: { publisher: Publisher }, events: readonly ContainerEvent[]): Promise<void> {
  await Promise.all(events.map((e) => deps.publisher.publish(topics.events, JSON.stringify(eventMessage(e)), { qos: 0, retain: false })
    .catch(() => undefined)));
}
