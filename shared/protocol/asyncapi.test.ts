// The AsyncAPI document (issue 11): every topic the protocol builds is a channel, every payload schema accepts
// the protocol's examples (checked by a JSON Schema validator, not by zod) and refuses broken ones, and the
// document is what GET /asyncapi.json serves.
import Ajv from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/helpers/harness';
import { asyncApiDocument } from './asyncapi';
import { exampleContainerV6, exampleDesired, exampleEvent, exampleHeartbeat, examplePresence, exampleStatus, exampleTunnelTelemetry } from './examples';
import { HOST_TOPIC_KINDS, topics } from './topics';
import { zDesiredState, zEvent, zHeartbeat, zPresence, zStatus, zTunnelTelemetry } from './messages';

const ZOD = { desired: zDesiredState, presence: zPresence, heartbeat: zHeartbeat, status: zStatus, events: zEvent, tunnelTelemetry: zTunnelTelemetry } as const;

type Doc = {
  asyncapi: string;
  channels: Record<string, { address: string; parameters?: Record<string, unknown>; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; bindings: { mqtt: { qos: number; retain: boolean } } }>;
  components: { messages: Record<string, { payload: { schemaFormat: string; schema: object }; examples: { payload: unknown }[] }> };
};
const doc = asyncApiDocument() as Doc;
const ajv = new Ajv({ strict: false, allErrors: true });

/** The channel whose address template matches a concrete topic. */
const channelOf = (topic: string) => Object.entries(doc.channels).find(([, c]) =>
  new RegExp(`^${c.address.replace(/[.+*?^$()|[\]\\]/g, '\\$&').replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`).test(topic))?.[0];

describe('AsyncAPI document', () => {
  it('is AsyncAPI 3.0 with a channel for every topic topics.ts builds, and nothing else', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    const concrete = [
      ...HOST_TOPIC_KINDS.map((k) => topics[k]('host0')),
      topics.events,
      topics.tunnelTelemetry('c0000000-0000-4000-8000-000000000001'),
    ];
    const matched = concrete.map(channelOf);
    expect(matched).not.toContain(undefined);
    expect(new Set(matched).size).toBe(concrete.length);
    expect(Object.keys(doc.channels).sort()).toEqual([...new Set(matched as string[])].sort());
    // The wildcard filters consumers and the ingest use cover channels of the document.
    expect(channelOf(topics.allHosts('status').replace('+', 'x'))).toBe('status');
    expect(channelOf(topics.telemetryAll.replace('#', 'tunnels/x'))).toBe('tunnelTelemetry');
  });

  it('every channel has a message, an operation with its QoS and retain flag, and resolvable references', () => {
    const resolve = (ref: string) => ref.slice(2).split('/').reduce<any>((o, k) => o?.[k], doc);
    for (const [key, ch] of Object.entries(doc.channels)) {
      for (const m of Object.values(ch.messages)) expect(resolve(m.$ref), m.$ref).toBeTruthy();
      const ops = Object.values(doc.operations).filter((o) => o.channel.$ref === `#/channels/${key}`);
      expect(ops, key).toHaveLength(1);
      for (const p of ch.address.match(/\{([A-Za-z]+)\}/g) ?? []) expect(ch.parameters?.[p.slice(1, -1)], `${key} ${p}`).toBeTruthy();
    }
    const op = (k: string) => Object.values(doc.operations).find((o) => o.channel.$ref === `#/channels/${k}`)!;
    expect(op('desired')).toMatchObject({ action: 'send', bindings: { mqtt: { qos: 1, retain: true } } });
    expect(op('status')).toMatchObject({ action: 'receive', bindings: { mqtt: { qos: 1, retain: false } } });
    expect(op('tunnelTelemetry')).toMatchObject({ action: 'send', bindings: { mqtt: { qos: 0, retain: false } } });
  });

  const examples: Record<string, unknown[]> = {
    desired: [exampleDesired('host0'), exampleDesired('host1', { containers: [exampleContainerV6(2)] }), exampleDesired('host2', { containers: [] })],
    presence: [examplePresence(), examplePresence('host1', { online: false })],
    heartbeat: [exampleHeartbeat(), exampleHeartbeat('host1', { fence: undefined })],
    status: [exampleStatus(), exampleStatus('host1', { containers: [] })],
    events: [exampleEvent(), exampleEvent({ containerId: null, hostId: null })],
    tunnelTelemetry: [exampleTunnelTelemetry(), exampleTunnelTelemetry('host1', { state: 'down', message: 'no IKE_SA', establishedAt: null, lastRekeyAt: null })],
  };

  it.each(Object.keys(examples))('the %s payload schema accepts the protocol examples and refuses broken ones', (key) => {
    const message = doc.components.messages[key];
    expect(message.payload.schemaFormat).toBe('application/schema+json;version=draft-2020-12');
    const validate = ajv.compile(message.payload.schema);
    for (const ex of examples[key]) expect(ZOD[key as keyof typeof ZOD].safeParse(ex).success, `${key} example under zod`).toBe(true);
    for (const ex of [...examples[key], ...message.examples.map((e) => e.payload)]) {
      expect(validate(JSON.parse(JSON.stringify(ex))), JSON.stringify(validate.errors)).toBe(true);
    }
    const broken = [{ ...(examples[key][0] as object), v: 2 }, { ...(examples[key][0] as object), at: 'yesterday', hostId: 'a/b', seq: -1, containers: 'x', reason: 5, online: 'yes' }, 'null'];
    for (const b of broken) expect(validate(b)).toBe(false);
  });

  it('is served at /asyncapi.json without a token', async () => {
    const t = await createTestApp();
    try {
      const res = await t.app.request('/asyncapi.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    } finally {
      await t.close();
    }
  });
});
