// Feeds agent messages from the broker into the ingest batcher: presence, heartbeat and status of every host.
// On an external broker status reports go through a shared subscription ($share/berth/...), so control-plane
// replicas split that load; aedes has no shared subscriptions, and the embedded broker serves exactly one
// control plane anyway. Liveness (presence, heartbeat) is never shared: every replica hears every host. The
// leader judges hosts dead by its own hearing of silence (DESIGN §6); with a shared liveness subscription a
// frozen or slow replica kept receiving its share of heartbeats (QoS 0: lost, or applied seconds late) and the
// leader declared live hosts dead and moved their containers, which then ran on two hosts (issue 10's chaos soak).
// Heard by all, applied by one: only the controller lease's holder writes liveness (functions/ingest/liveness-gate.ts).
import type { MqttClient } from 'mqtt';
import { agentMessageFilters } from '../../shared/protocol/topics';
import type { IngestBatcher } from '../ingest/batcher';

export const SHARE_GROUP = 'berth';

export const ingestFilters = (shared: boolean): string[] => agentMessageFilters(SHARE_GROUP, shared);

export async function subscribeIngest(client: MqttClient, ingest: IngestBatcher, opts: { shared: boolean }): Promise<void> {
  client.on('message', (topic, payload, packet) => ingest.offer(topic, payload, { retained: packet.retain }));
  // mqtt.js re-subscribes after a reconnect (clean sessions forget subscriptions).
  await client.subscribeAsync(ingestFilters(opts.shared), { qos: 1 });
}
