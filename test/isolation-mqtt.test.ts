// The MQTT isolation matrix (issue 9), against the real embedded broker: every topic of the protocol (generated
// from HOST_TOPIC_KINDS, topics.events and the telemetry topic) × {its own host, another host, the fleet token, a
// wrong secret, the read-only telemetry consumer} ×
// {publish, subscribe}, each with its exact outcome — delivered, or dropped and counted (the client disconnected);
// SUBACK granted or 0x80; CONNECT refused. Plus what the broker takes on faith: retained flags and packet sizes.
import { connect as netConnect } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../functions/node/broker';
import { memoryCredentialStore, testHostSecret } from '../functions/node/credential-store-memory';
import { CONTROL_USER } from '../functions/node/mqtt-acl';
import { TELEMETRY_USER } from '../functions/node/telemetry-acl';
import { MAX_CONTROL_PACKET, MAX_FIRST_PACKET } from '../functions/node/mqtt-frame-meter';
import { WebSocket } from 'ws';
import { silentLogger } from '../shared/logger';
import { HOST_TOPIC_KINDS, TOPIC_QOS, topics } from '../shared/protocol/topics';

const FLEET = 'fleet-token-0123456789abcdef';
const CONTROL_PW = 'control-password-0123456789';
const TELEMETRY = 'telemetry-token-0123456789abcdef';
const hosts = memoryCredentialStore();
let broker: EmbeddedBroker;
const open: MqttClient[] = [];

beforeAll(async () => {
  for (const h of ['host0', 'host1']) await hosts.set(h, testHostSecret(h));
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger, credentials: { agentToken: FLEET, controlPassword: CONTROL_PW, hosts, telemetryToken: TELEMETRY } });
});
afterAll(async () => {
  for (const c of open) c.end(true);
  await broker?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function connectAs(username: string, password: string, clientId = username === CONTROL_USER ? `berth-control-${Math.random().toString(16).slice(2, 8)}` : username === TELEMETRY_USER ? 'berth-telemetry-probe' : `berth-agent-${username}`): Promise<MqttClient> {
  return mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000, username, password, clientId }).then((c) => { open.push(c); return c; });
}
const end = (c: MqttClient) => new Promise<void>((r) => c.end(true, {}, () => r()));

type Who = 'own host' | 'other host' | 'fleet token' | 'wrong secret' | 'telemetry consumer';
const credentialOf: Record<Who, [string, string]> = {
  'own host': ['host0', testHostSecret('host0')],
  'other host': ['host1', testHostSecret('host1')],
  'fleet token': ['host0', FLEET],
  'wrong secret': ['host0', 'not-the-secret-0123456789abcdef'],
  'telemetry consumer': [TELEMETRY_USER, TELEMETRY],
};
/** Every topic of the protocol, written as host0's (the "own host" identity is host0). */
const TOPICS = [...HOST_TOPIC_KINDS.map((k) => ({ name: `hosts/host0/${k}`, topic: `berth/v1/hosts/host0/${k}`, kind: k as string })), { name: 'events', topic: topics.events, kind: 'events' },
  { name: 'telemetry/tunnels/c-1', topic: topics.tunnelTelemetry('c-1'), kind: 'telemetry' }];
const AGENT_WRITES = ['presence', 'heartbeat', 'status'];

/** What the matrix must say: 'refused' at CONNECT; publish 'delivered' | 'dropped'; subscribe 'granted' | 'refused'. */
function expected(who: Who, op: 'publish' | 'subscribe', kind: string): string {
  if (who === 'fleet token' || who === 'wrong secret') return 'connect refused';
  // The read-only consumer (functions/node/telemetry-acl.ts): reads events and telemetry, publishes nothing.
  if (who === 'telemetry consumer') return op === 'publish' ? 'dropped' : ['events', 'telemetry'].includes(kind) ? 'granted' : 'refused';
  const own = who === 'own host';
  if (op === 'publish') return own && AGENT_WRITES.includes(kind) ? 'delivered' : 'dropped';
  return own && kind === 'desired' ? 'granted' : 'refused';
}

async function tryPublish(who: Who, topic: string): Promise<string> {
  const [user, pw] = credentialOf[who];
  const c = await connectAs(user, pw).catch(() => null);
  if (!c) return 'connect refused';
  const watcher = await connectAs(CONTROL_USER, CONTROL_PW);
  await watcher.subscribeAsync(topic, { qos: 0 });
  const got = new Promise<boolean>((r) => { watcher.on('message', () => r(true)); setTimeout(() => r(false), 500); });
  const before = broker.stats().deniedPublishes;
  c.publish(topic, '{"probe":1}', { qos: 0 });
  const delivered = await got;
  await end(watcher);
  await end(c);
  await sleep(50);
  if (delivered) return 'delivered';
  return broker.stats().deniedPublishes === before + 1 ? 'dropped' : 'lost without being counted';
}

async function trySubscribe(who: Who, topic: string): Promise<string> {
  const [user, pw] = credentialOf[who];
  const c = await connectAs(user, pw).catch(() => null);
  if (!c) return 'connect refused';
  // mqtt.js rejects a SUBACK of 0x80 (ErrorWithSubackPacket).
  const granted = await c.subscribeAsync(topic, { qos: 1 }).then((g) => g[0].qos !== 128, () => false);
  await end(c);
  await sleep(50);
  return granted ? 'granted' : 'refused';
}

describe('MQTT isolation matrix (generated from the topic list)', () => {
  it('covers every topic kind of the protocol (TOPIC_QOS lists each one with its QoS)', () => {
    expect([...new Set(TOPICS.map((t) => t.kind))].sort()).toEqual(Object.keys(TOPIC_QOS).sort());
  });
  for (const t of TOPICS) {
    for (const who of Object.keys(credentialOf) as Who[]) {
      it(`${t.name} × ${who}: publish ${expected(who, 'publish', t.kind)}, subscribe ${expected(who, 'subscribe', t.kind)}`, async () => {
        expect(await tryPublish(who, t.topic)).toBe(expected(who, 'publish', t.kind));
        expect(await trySubscribe(who, t.topic)).toBe(expected(who, 'subscribe', t.kind));
      });
    }
  }
});

describe('taking nothing on faith', () => {
  it('a retained heartbeat or status is dropped and counted; a retained presence is kept', async () => {
    const before = broker.stats().droppedRetained;
    for (const kind of ['heartbeat', 'status']) {
      const c = await connectAs('host0', testHostSecret('host0'));
      c.publish(`berth/v1/hosts/host0/${kind}`, '{}', { qos: 0, retain: true });
      await new Promise<void>((r) => c.once('close', () => r()));
      await sleep(50);
    }
    expect(broker.stats().droppedRetained).toBe(before + 2);
    const own = await connectAs('host0', testHostSecret('host0'));
    await own.publishAsync('berth/v1/hosts/host0/presence', '{"retained":1}', { qos: 1, retain: true });
    await end(own);
    const watcher = await connectAs(CONTROL_USER, CONTROL_PW);
    const replayed: string[] = [];
    watcher.on('message', (t) => replayed.push(t));
    await watcher.subscribeAsync('berth/v1/hosts/host0/+', { qos: 1 });
    await sleep(300);
    await end(watcher);
    expect(replayed.filter((t) => /heartbeat|status/.test(t))).toEqual([]);
    expect(replayed).toContain('berth/v1/hosts/host0/presence');
    expect(broker.stats().droppedRetained).toBe(before + 2);
  });

  it('a packet over the limit before CONNECT is authenticated ends the connection at its header', async () => {
    const before = broker.stats().oversizedPackets;
    const closed = await new Promise<boolean>((resolve) => {
      const s = netConnect(broker.port, '127.0.0.1', () => {
        // A CONNECT fixed header declaring MAX_FIRST_PACKET + 1 bytes; no body needs to follow.
        const len = MAX_FIRST_PACKET + 1;
        s.write(Buffer.from([0x10, (len & 0x7f) | 0x80, ((len >> 7) & 0x7f) | 0x80, (len >> 14) & 0x7f]));
      });
      s.on('close', () => resolve(true));
      s.on('error', () => undefined);
      setTimeout(() => { s.destroy(); resolve(false); }, 3000);
    });
    expect(closed).toBe(true);
    expect(broker.stats().oversizedPackets).toBe(before + 1);
  });

  it('on the MQTT-over-WebSocket listener a frame larger than the largest packet is refused before it is buffered', async () => {
    const wsBroker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, wsPort: 0, logger: silentLogger, credentials: { agentToken: FLEET, controlPassword: CONTROL_PW, hosts } });
    try {
      const code = await new Promise<number>((resolve) => {
        const ws = new WebSocket(wsBroker.wsUrl!, 'mqtt');
        ws.on('open', () => ws.send(Buffer.alloc(MAX_CONTROL_PACKET + 6)));
        ws.on('close', (c) => resolve(c));
        ws.on('error', () => undefined);
      });
      expect(code).toBe(1009); // message too big
    } finally {
      await wsBroker.close();
    }
  });

  it('a host publishing over 1 MiB is disconnected and counted; the broker keeps serving', async () => {
    const before = broker.stats().oversizedPackets;
    const c = await connectAs('host1', testHostSecret('host1'));
    c.publish('berth/v1/hosts/host1/status', Buffer.alloc(1024 * 1024 + 10, 0x20), { qos: 0 });
    await new Promise<void>((r) => c.once('close', () => r()));
    await sleep(50);
    expect(broker.stats().oversizedPackets).toBe(before + 1);
    const again = await connectAs('host1', testHostSecret('host1'));
    await end(again);
  });
});
