// MQTT topic names of protocol v1 (prefix berth/v1): builders, wildcard filters and a strict parser.
// Runtime-neutral: used by the agent, the relay, the ingest subscriber and the broker ACL.
import { z } from 'zod';

export const TOPIC_PREFIX = 'berth/v1';

/** The per-host topics, with who publishes each (DESIGN section 5). */
export const HOST_TOPIC_KINDS = ['desired', 'presence', 'heartbeat', 'status'] as const;
export type HostTopicKind = (typeof HOST_TOPIC_KINDS)[number];

/** Topics an agent publishes (its ACL: these, under its own host id, and nothing else). */
export const AGENT_PUBLISHES: readonly HostTopicKind[] = ['presence', 'heartbeat', 'status'];
/** The one topic an agent subscribes to (its own). */
export const AGENT_SUBSCRIBES: readonly HostTopicKind[] = ['desired'];

/**
 * A host id is the name an agent was started with. It becomes a topic level, an MQTT username and a
 * client id suffix, so it must not contain '/', '+', '#', spaces or control characters; we allow
 * letters, digits, '.', '_' and '-' (DNS-ish host names), starting with a letter or digit, up to 64.
 */
const HOST_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const isHostId = (s: string): boolean => HOST_ID_RE.test(s);
export const zHostId = z.string().regex(HOST_ID_RE, {
  message: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

function requireHostId(hostId: string): string {
  if (!isHostId(hostId)) throw new Error(`invalid host id for an MQTT topic: ${JSON.stringify(hostId)}`);
  return hostId;
}

/** A topic level built from an id the control plane made (a connection id): no '/', '+', '#' or NUL. */
function requireTopicLevel(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id)) throw new Error(`invalid id for an MQTT topic level: ${JSON.stringify(id)}`);
  return id;
}

export const hostTopic = (hostId: string, kind: HostTopicKind): string =>
  `${TOPIC_PREFIX}/hosts/${requireHostId(hostId)}/${kind}`;

export const topics = {
  desired: (hostId: string) => hostTopic(hostId, 'desired'),
  presence: (hostId: string) => hostTopic(hostId, 'presence'),
  heartbeat: (hostId: string) => hostTopic(hostId, 'heartbeat'),
  status: (hostId: string) => hostTopic(hostId, 'status'),
  /** Scheduling and health events for telemetry consumers (control plane → all, QoS 0). */
  events: `${TOPIC_PREFIX}/events`,
  /**
   * One connection's tunnel telemetry (control plane → telemetry consumers, QoS 0, not retained): its state,
   * counters and last rekey, republished from accepted agent status reports.
   */
  tunnelTelemetry: (connectionId: string) => `${TOPIC_PREFIX}/telemetry/tunnels/${requireTopicLevel(connectionId)}`,
  /** Every telemetry topic (what the read-only telemetry consumer may subscribe to, besides events). */
  telemetryAll: `${TOPIC_PREFIX}/telemetry/#`,
  /** Everything under one host (for ACLs: `${hostPrefix(id)}#`). */
  hostPrefix: (hostId: string) => `${TOPIC_PREFIX}/hosts/${requireHostId(hostId)}/`,
  /** Wildcard filter for one kind across all hosts (what the ingest subscribes to). */
  allHosts: (kind: HostTopicKind) => `${TOPIC_PREFIX}/hosts/+/${kind}`,
  /**
   * Shared subscription (MQTT 5 and most 3.1.1 brokers: EMQX, HiveMQ, Mosquitto ≥ 2): replicas in one
   * group split the messages. Brokers without it (aedes) need the plain `allHosts` filter.
   */
  sharedAllHosts: (group: string, kind: HostTopicKind) => `$share/${group}/${TOPIC_PREFIX}/hosts/+/${kind}`,
} as const;

/**
 * What every consumer of agent messages must hear itself: the signals silence is judged by. A shared
 * subscription hands each message to ONE member of the group, and a member that is frozen or slow but still
 * connected keeps receiving its share (the broker notices only after 1.5 × its keepalive): QoS 0 heartbeats are
 * then lost or applied seconds late, and live hosts are declared dead (issue 10's chaos soak). So liveness is
 * never shared; status reports (QoS 1, repeated by agents) are. docs/decisions.md, "Liveness is heard by every
 * replica".
 */
export const HEARD_BY_EVERY_CONSUMER: readonly HostTopicKind[] = ['presence', 'heartbeat'];

/** The filters a consumer of agent messages subscribes to: status through the share group when `shared`. */
export function agentMessageFilters(group: string, shared: boolean): string[] {
  return AGENT_PUBLISHES.map((kind) => (shared && !HEARD_BY_EVERY_CONSUMER.includes(kind) ? topics.sharedAllHosts(group, kind) : topics.allHosts(kind)));
}

/** Quality of service and retain flag per topic kind — the table of DESIGN section 5. */
export const TOPIC_QOS: Record<HostTopicKind | 'events' | 'telemetry', { qos: 0 | 1; retain: boolean }> = {
  desired: { qos: 1, retain: true },
  presence: { qos: 1, retain: true },
  heartbeat: { qos: 0, retain: false },
  status: { qos: 1, retain: false },
  events: { qos: 0, retain: false },
  telemetry: { qos: 0, retain: false },
};

/** Parse a concrete per-host topic; null for anything else (other prefixes, wildcards, bad ids, extra levels). */
export function parseHostTopic(topic: string): { hostId: string; kind: HostTopicKind } | null {
  const parts = topic.split('/');
  if (parts.length !== 5) return null;
  const [a, b, hosts, hostId, kind] = parts;
  if (`${a}/${b}` !== TOPIC_PREFIX || hosts !== 'hosts') return null;
  if (!isHostId(hostId)) return null;
  if (!(HOST_TOPIC_KINDS as readonly string[]).includes(kind)) return null;
  return { hostId, kind: kind as HostTopicKind };
}
