// The AsyncAPI 3.0 document of berth's MQTT protocol (issue 11), generated from the zod schemas that validate
// every message (messages.ts) and the topic builders' own names (topics.ts), so it cannot drift from them.
// Served at /asyncapi.json by `berth serve` and the Worker. Runtime-neutral (zod's toJSONSchema, through shared/json-schema.ts).
//
// Perspective: the document describes the berth control plane as the application — it `send`s desired documents,
// events and tunnel telemetry, and `receive`s what agents publish. Agents and telemetry consumers are its peers.
import { z } from 'zod';
import {
  exampleDesired, exampleEvent, exampleHeartbeat, examplePresence, exampleStatus, exampleTunnelTelemetry,
} from './examples';
import { PROTOCOL_VERSION, zDesiredState, zEvent, zHeartbeat, zPresence, zStatus, zTunnelTelemetry } from './messages';
import { HOST_TOPIC_KINDS, TOPIC_PREFIX, TOPIC_QOS, topics } from './topics';
import { requestJsonSchema } from '../json-schema';

type Json = Record<string, unknown>;

/** AsyncAPI 3 multi-format schemas: the payloads are the same JSON Schema dialect the OpenAPI document uses. */
const SCHEMA_FORMAT = 'application/schema+json;version=draft-2020-12';

interface ChannelSpec {
  /** Channel and message key. */
  key: string;
  address: string;
  parameters: Record<string, string>;
  title: string;
  description: string;
  schema: z.ZodType;
  example: unknown;
  qos: { qos: 0 | 1; retain: boolean };
  /** From the control plane's side. */
  action: 'send' | 'receive';
  who: string;
}

const HOST_PARAM = { hostId: 'The host id: the name its agent was started with (1-64 letters, digits, ".", "_" or "-"); also its MQTT username.' };

const HOST_CHANNELS: Record<(typeof HOST_TOPIC_KINDS)[number], Omit<ChannelSpec, 'key' | 'address' | 'parameters' | 'qos'>> = {
  desired: {
    title: 'Desired state of a host', schema: zDesiredState, example: exampleDesired('host0'), action: 'send', who: 'control plane (relay) → the one agent',
    description: 'The WHOLE desired state of one host, retained. Agents ignore documents older (epoch, generation) than the newest they applied. Carries pre-shared keys: only that host may read it (never telemetry consumers).',
  },
  presence: {
    title: 'Presence of an agent', schema: zPresence, example: examplePresence('host0'), action: 'receive', who: 'agent → all',
    description: 'online:true retained on every connect; online:false retained on a clean stop and as the Last Will.',
  },
  heartbeat: {
    title: 'Heartbeat of an agent', schema: zHeartbeat, example: exampleHeartbeat('host0'), action: 'receive', who: 'agent → control plane',
    description: 'Every --heartbeat-ms (500 ms): sequence, observed generation, fencing mark, container count, quota and load.',
  },
  status: {
    title: 'Container status of a host', schema: zStatus, example: exampleStatus('host0'), action: 'receive', who: 'agent → control plane',
    description: 'The COMPLETE list of containers on the host with status, message and per-connection tunnel reports (with telemetry), on every change and at least every 2 s.',
  },
};

function channels(): ChannelSpec[] {
  const perHost = HOST_TOPIC_KINDS.map((kind): ChannelSpec => ({
    key: kind, address: `${TOPIC_PREFIX}/hosts/{hostId}/${kind}`, parameters: HOST_PARAM, qos: TOPIC_QOS[kind], ...HOST_CHANNELS[kind],
  }));
  return [
    ...perHost,
    {
      key: 'events', address: topics.events, parameters: {}, qos: TOPIC_QOS.events, schema: zEvent, example: exampleEvent(), action: 'send',
      who: 'control plane → telemetry consumers', title: 'Scheduling and health events',
      description: 'Placements, failovers, migrations, drains, host deaths. `type` is open-ended: show an unknown one as text.',
    },
    {
      key: 'tunnelTelemetry', address: `${TOPIC_PREFIX}/telemetry/tunnels/{connectionId}`, parameters: { connectionId: 'The IPsec site connection id (Neutron).' },
      qos: TOPIC_QOS.telemetry, schema: zTunnelTelemetry, example: exampleTunnelTelemetry('host0'), action: 'send',
      who: 'control plane → telemetry consumers', title: 'Tunnel telemetry of one IPsec site connection',
      description: 'Each tunnel report the control plane accepted (from the host the container is placed on), every ~2 s per connection: SA state, bytes and packets in/out of the current CHILD_SAs (reset by a rekey), establishment and last rekey. Never configuration or secrets.',
    },
  ];
}

export function asyncApiDocument(): Json {
  const specs = channels();
  const mqttOp = (q: ChannelSpec['qos']) => ({ mqtt: { qos: q.qos, retain: q.retain, bindingVersion: '0.2.0' } });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'berth MQTT protocol',
      version: String(PROTOCOL_VERSION),
      description: [
        'Topics and payloads between the berth control plane, its host agents and telemetry consumers (DESIGN section 5; shared/protocol/README.md for semantics the schemas cannot say).',
        'MQTT 3.1.1, JSON payloads, each with `v` (the protocol version). Only desired and presence are retained.',
        'Who may do what: an agent (username = its host id) publishes only its own presence, heartbeat and status and reads only its own desired; the read-only telemetry consumer (username `telemetry`, password BERTH_TELEMETRY_TOKEN) may subscribe to berth/v1/events and berth/v1/telemetry/# only and publish nothing; the control plane (berth-control) everything.',
        'Operations are written from the control plane\'s side: `send` = it publishes, `receive` = it subscribes.',
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      embedded: { host: '127.0.0.1:1883', protocol: 'mqtt', protocolVersion: '3.1.1', description: 'The embedded broker of `berth serve` (BERTH_MQTT_PORT); mqtts when BERTH_MQTT_TLS_CERT is set.' },
    },
    channels: Object.fromEntries(specs.map((c) => [c.key, {
      address: c.address,
      title: c.title,
      description: `${c.description} (${c.who}; QoS ${c.qos.qos}${c.qos.retain ? ', retained' : ''})`,
      ...(Object.keys(c.parameters).length ? { parameters: Object.fromEntries(Object.entries(c.parameters).map(([k, d]) => [k, { description: d }])) } : {}),
      messages: { [c.key]: { $ref: `#/components/messages/${c.key}` } },
    }])),
    operations: Object.fromEntries(specs.map((c) => [`${c.action}-${c.key}`, {
      action: c.action,
      channel: { $ref: `#/channels/${c.key}` },
      summary: `${c.who}`,
      messages: [{ $ref: `#/channels/${c.key}/messages/${c.key}` }],
      bindings: mqttOp(c.qos),
    }])),
    components: {
      messages: Object.fromEntries(specs.map((c) => [c.key, {
        name: c.key,
        title: c.title,
        contentType: 'application/json',
        // What a sender may put on the wire: the schema's input side (shared/json-schema.ts, as for request bodies).
        payload: { schemaFormat: SCHEMA_FORMAT, schema: requestJsonSchema(c.schema) },
        examples: [{ name: 'example', payload: c.example }],
      }])),
    },
  };
}
