// The read-only telemetry consumer (issue 11): the rules as a table, then enforced by a real broker — the embedded
// aedes one and Mosquitto configured from `berth mqtt-acl` — it hears events and telemetry, never a desired
// document, and cannot publish.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/logger';
import { topics } from '../../shared/protocol/topics';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { judgeConnect, mayPublish, maySubscribe } from './mqtt-acl';
import { memoryCredentialStore } from './credential-store-memory';
import { mosquittoAcl, mosquittoPasswd } from './mosquitto';
import { telemetryMaySubscribe } from './telemetry-acl';

const creds = { agentToken: 'agent-token-0123456789', controlPassword: 'control-password-0123456789', telemetryToken: 'telemetry-token-0123456789', hosts: memoryCredentialStore() };
const consumer = { username: 'telemetry', password: creds.telemetryToken, clientId: 'grafana-1', will: null };

describe('telemetry consumer rules', () => {
  it.each([
    ['berth/v1/events', true],
    ['berth/v1/telemetry/#', true],
    ['berth/v1/telemetry/tunnels/+', true],
    ['berth/v1/telemetry/tunnels/c-1', true],
    ['$share/g/berth/v1/telemetry/#', true],
    ['berth/v1/#', false],
    ['#', false],
    ['berth/v1/+/tunnels/x', false],
    ['berth/v1/hosts/host0/desired', false],
    ['berth/v1/hosts/+/desired', false],
    ['berth/v1/hosts/+/status', false],
    ['berth/v1/telemetry/a#', false],
    ['berth/v1/telemetry/#/x', false],
    ['berth/v1/telemetry/a+', false],
  ])('may subscribe %s: %s', (filter, want) => {
    expect(telemetryMaySubscribe(filter)).toBe(want);
    expect(maySubscribe({ kind: 'telemetry' }, filter)).toBe(want);
  });

  it('never publishes', () => {
    for (const t of [topics.events, topics.tunnelTelemetry('c-1'), topics.presence('telemetry'), topics.status('host0')]) expect(mayPublish({ kind: 'telemetry' }, t)).toBe(false);
  });

  it.each([
    ['the token', consumer, { ok: true, identity: { kind: 'telemetry' } }],
    ['a berth-telemetry client id', { ...consumer, clientId: 'berth-telemetry-1' }, { ok: true }],
    ['a wrong token', { ...consumer, password: 'nope' }, { ok: false, code: 4 }],
    ['the agent token', { ...consumer, password: creds.agentToken }, { ok: false, code: 4 }],
    ["an agent's client id", { ...consumer, clientId: 'berth-agent-host0' }, { ok: false, code: 5 }],
    ['a Last Will (a publish)', { ...consumer, will: { topic: 'berth/v1/events' } }, { ok: false, code: 5 }],
  ] as const)('connect with %s', async (_n, req, want) => {
    expect(await judgeConnect(req, creds)).toMatchObject(want);
  });

  it('nobody logs in as telemetry when no token is configured', async () => {
    expect(await judgeConnect(consumer, { ...creds, telemetryToken: undefined })).toMatchObject({ ok: false, code: 5 });
  });

  it('the Mosquitto ACL gives the user read of events and telemetry and denies the host topics first', async () => {
    expect(mosquittoAcl()).toMatch(/user telemetry\ntopic deny berth\/v1\/hosts\/#\ntopic read berth\/v1\/events\ntopic read berth\/v1\/telemetry\/#/);
    expect(await mosquittoPasswd('pw', [], creds.telemetryToken)).toMatch(/^telemetry:\$7\$/m);
    expect(await mosquittoPasswd('pw', [])).not.toMatch(/^telemetry:/m);
  });
});

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find(existsSync);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

async function connect(url: string, o: { username: string; password: string; clientId: string }): Promise<MqttClient> {
  return mqtt.connectAsync(url, { ...o, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Broker { url: string; close(): Promise<void> }

async function embedded(): Promise<Broker> {
  const b: EmbeddedBroker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, credentials: creds, logger: silentLogger });
  return { url: b.url, close: () => b.close() };
}

async function mosquitto(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-telemetry-mosq-'));
  const port = await freePort();
  writeFileSync(join(dir, 'berth.acl'), mosquittoAcl());
  // The control password is the one `berth serve` derives; here any secret stands in for it.
  writeFileSync(join(dir, 'berth.passwd'), await mosquittoPasswd(creds.controlPassword, [], creds.telemetryToken), { mode: 0o600 });
  writeFileSync(join(dir, 'mosquitto.conf'), [
    `listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${join(dir, 'berth.passwd')}`, `acl_file ${join(dir, 'berth.acl')}`,
    'persistence false', ...(process.getuid?.() === 0 ? ['user root'] : []), '',
  ].join('\n'));
  const proc: ChildProcess = spawn(MOSQUITTO!, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const url = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await (await connect(url, { username: 'berth-control', password: creds.controlPassword, clientId: 'berth-control-probe' })).endAsync();
      break;
    } catch (e) {
      if (i > 100) throw e;
      await sleep(100);
    }
  }
  return { url, close: async () => { proc.kill('SIGTERM'); await new Promise((r) => proc.once('exit', r)); rmSync(dir, { recursive: true, force: true }); } };
}

describe.each([
  ['the embedded broker', embedded, true],
  ['Mosquitto from berth mqtt-acl', mosquitto, !!MOSQUITTO],
] as const)('a telemetry consumer on %s', (_name, start, available) => {
  let broker: Broker;
  let control: MqttClient;
  beforeAll(async () => {
    if (!available) return;
    broker = await start();
    control = await connect(broker.url, { username: 'berth-control', password: creds.controlPassword, clientId: 'berth-control-test' });
  });
  afterAll(async () => {
    await control?.endAsync();
    await broker?.close();
  });

  it.skipIf(!available)('hears events and tunnel telemetry, never a desired document, and cannot publish (skipped where no mosquitto binary is installed)', async () => {
    await control.publishAsync(topics.desired('host0'), '{"psk":"retained-secret"}', { qos: 1, retain: true });
    const got: string[] = [];
    const c = await connect(broker.url, { username: 'telemetry', password: creds.telemetryToken, clientId: 'grafana-1' });
    c.on('message', (t) => got.push(t));
    expect((await c.subscribeAsync([topics.events, topics.telemetryAll])).map((g) => g.qos)).toEqual([0, 0]);
    // The embedded broker refuses these filters (SUBACK 0x80); Mosquitto grants them and delivers nothing.
    for (const filter of ['berth/v1/hosts/+/desired', 'berth/v1/#']) {
      const sub = c.subscribeAsync(filter);
      if (_name.startsWith('the embedded')) await expect(sub).rejects.toThrow();
      else await sub;
    }
    await control.publishAsync(topics.desired('host0'), '{"psk":"live-secret"}', { qos: 1, retain: true });
    await control.publishAsync(topics.events, '{"v":1}', { qos: 0 });
    await control.publishAsync(topics.tunnelTelemetry('c-1'), '{"v":1}', { qos: 0 });

    // It may not publish: the embedded broker drops the connection, Mosquitto drops the message; nobody hears it.
    const heard: string[] = [];
    control.on('message', (_t, payload) => heard.push(payload.toString()));
    await control.subscribeAsync(['berth/v1/#']);
    c.publish(topics.events, '{"forged":true}');
    c.publish(topics.status('telemetry'), '{"forged":true}');
    await sleep(500);
    expect(got.filter((t) => !t.includes('/desired')).sort()).toEqual([topics.events, topics.tunnelTelemetry('c-1')].sort());
    expect(got.some((t) => t.includes('/desired'))).toBe(false);
    expect(heard.filter((p) => p.includes('forged'))).toEqual([]);
    c.end(true);
  });

  it.skipIf(!available)('a wrong token is refused', async () => {
    await expect(connect(broker.url, { username: 'telemetry', password: 'wrong-token-0123456789', clientId: 'x' })).rejects.toThrow();
  });
});
