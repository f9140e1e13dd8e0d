// Tunnel telemetry for consumers (issue 11): each accepted tunnel report is republished on
// berth/v1/telemetry/tunnels/{connectionId} (QoS 0, not retained) once its batch committed — so a consumer hears
// only what the control plane accepted (the placed host, the current placement), never a raw agent claim, and
// never anything of the desired documents. Best effort: a lost message is replaced by the next report (~2 s).
import type { Logger } from '../../shared/logger';
import { encodeMessage, type TunnelTelemetry } from '../../shared/protocol/messages';
import { topics, TOPIC_QOS } from '../../shared/protocol/topics';
import type { Publisher } from '../deps';

/**
 * The one home of this republishing, for both ingests: the Node subscriber's batches (fire and forget) and the
 * Worker's POST /v1/agent-events, which awaits it before closing its invocation's broker connection. Never rejects.
 */
export async function publishTunnelTelemetry(publisher: Publisher, items: readonly TunnelTelemetry[], logger: Logger): Promise<void> {
  await Promise.all(items.map((t) => publisher.publish(topics.tunnelTelemetry(t.connectionId), encodeMessage(t), TOPIC_QOS.telemetry)
    .catch((e: Error) => logger.debug({ connectionId: t.connectionId, err: e.message }, 'tunnel telemetry not published'))));
}
