// Feeds agent messages from the broker into the ingest batcher: presence, heartbeat and status of every host.
// On an external broker the subscriptions are shared ($share/berth/...), so control-plane replicas split the
// load; aedes has no shared subscriptions, and the embedded broker serves exactly one control plane anyway.
import type { MqttClient } from 'mqtt';
import { AGENT_PUBLISHES, topics } from '../../shared/protocol/topics';
import type { IngestBatcher } from '../ingest/batcher';

export const SHARE_GROUP = 'berth';

export function ingestFilters(shared: boolean): string[] {
  return AGENT_PUBLISHES.map((kind) => (shared ? topics.sharedAllHosts(SHARE_GROUP, kind) : topics.allHosts(kind)));
}

export async function subscribeIngest(client: MqttClient, ingest: IngestBatcher, opts: { shared: boolean }): Promise<void> {
  client.on('message', (topic, payload, packet) => ingest.offer(topic, payload, { retained: packet.retain }));
  // mqtt.js re-subscribes after a reconnect (clean sessions forget subscriptions).
  await client.subscribeAsync(ingestFilters(opts.shared), { qos: 1 });
}
