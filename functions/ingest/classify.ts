// Raw MQTT (topic, payload) → a validated agent message, or the reason it is dropped (pure, never throws).
// Every message is checked against the protocol schemas, and the topic's host id must be the payload's.
import { decodeMessage, zHeartbeat, zPresence, zStatus, type DropReason, type Heartbeat, type Presence, type StatusMessage } from '../../shared/protocol/messages';
import { parseHostTopic } from '../../shared/protocol/topics';

export type AgentMessage =
  | { kind: 'presence'; hostId: string; value: Presence }
  | { kind: 'heartbeat'; hostId: string; value: Heartbeat }
  | { kind: 'status'; hostId: string; value: StatusMessage };

export type IngestDropReason = DropReason | 'bad_topic' | 'host_mismatch';

export type Classified = { ok: true; msg: AgentMessage } | { ok: false; reason: IngestDropReason; detail: string };

const SCHEMAS = { presence: zPresence, heartbeat: zHeartbeat, status: zStatus } as const;

export function classify(topic: string, payload: Uint8Array | string): Classified {
  const t = parseHostTopic(topic);
  if (!t || t.kind === 'desired') return { ok: false, reason: 'bad_topic', detail: `not an agent topic: ${topic.slice(0, 200)}` };
  const d = decodeMessage<Presence | Heartbeat | StatusMessage>(SCHEMAS[t.kind], payload);
  if (!d.ok) return { ok: false, reason: d.reason, detail: d.detail };
  // A host may only speak for itself (the broker's ACL enforces the topic; this catches a forged payload).
  if (d.value.hostId !== t.hostId) return { ok: false, reason: 'host_mismatch', detail: `payload hostId ${d.value.hostId} on ${t.hostId}'s topic` };
  return { ok: true, msg: { kind: t.kind, hostId: t.hostId, value: d.value } as AgentMessage };
}
