// The embedded broker under MQTT overload: a flood held back behind a subscriber that stopped reading, then
// vanished, used to unwind in one synchronous chain inside aedes's emitter and kill `berth serve` with
// "Maximum call stack size exceeded" (see broker.ts). The broker runs in its own process here, as in
// `berth serve`, so a crash shows as a dead process and its stderr instead of taking the test runner down.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { agentClientId, CONTROL_CLIENT_PREFIX, CONTROL_USER, enrolPassword } from './mqtt-acl';

const BROKER_TS = fileURLToPath(new URL('./broker.ts', import.meta.url));
const STORE_TS = fileURLToPath(new URL('./credential-store-memory.ts', import.meta.url));
const creds = { agentToken: 'agent-token-for-tests-0123456789', controlPassword: 'control-password-for-tests' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface BrokerProcess { proc: ChildProcess; url: string; stderr: () => string }

/** `startEmbeddedBroker` alone in a node process (the same default stack size as `berth serve`). */
async function spawnBroker(): Promise<BrokerProcess> {
  const script = `
    const { startEmbeddedBroker } = await import(${JSON.stringify(BROKER_TS)});
    const log = (level) => (o, m) => process.stderr.write(level + ' ' + m + ' ' + JSON.stringify(o) + '\\n');
    const logger = { debug() {}, info() {}, warn() {}, error: log('error') };
    const { memoryCredentialStore } = await import(${JSON.stringify(STORE_TS)});
    const b = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, credentials: { ...${JSON.stringify(creds)}, hosts: memoryCredentialStore() }, logger });
    process.stdout.write(b.url + '\\n');`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => { err += d; });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out.trim()); });
    proc.once('exit', (code) => reject(new Error(`broker process exited (${code}) before listening: ${err}`)));
  });
  return { proc, url, stderr: () => err };
}

const clients: MqttClient[] = [];
let broker: BrokerProcess | undefined;
afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  broker?.proc.kill('SIGKILL');
  broker = undefined;
});

async function connect(url: string, who: { control: true } | { hostId: string }): Promise<MqttClient> {
  const c = mqtt.connect(url, {
    protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000,
    ...('control' in who
      ? { clientId: `${CONTROL_CLIENT_PREFIX}-${crypto.randomUUID().slice(0, 8)}`, username: CONTROL_USER, password: creds.controlPassword }
      : { clientId: agentClientId(who.hostId), username: who.hostId, password: enrolPassword(creds.agentToken, `overload-host-secret-${who.hostId}-0123456789abcdef`) }),
  });
  clients.push(c);
  c.on('error', () => { /* surfaced through the connect promise below */ });
  await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
  return c;
}

const topicOf = { heartbeat: (h: string) => `berth/v1/hosts/${h}/heartbeat`, status: (h: string) => `berth/v1/hosts/${h}/status` };

/** A new subscriber to topic, and an agent publishing there: the payload it receives, or a sentence saying none came. */
async function deliveredWithin(b: BrokerProcess, topic: string, ms: number): Promise<string> {
  const sub = await connect(b.url, { control: true });
  await sub.subscribeAsync(topic, { qos: 1 });
  const got = new Promise<string>((resolve) => sub.on('message', (t, payload) => { if (t === topic) resolve(payload.toString()); }));
  const agent = await connect(b.url, { hostId: 'probe-host' });
  agent.publish(topic, 'still here', { qos: 0 });
  return Promise.race([got, sleep(ms).then(() => `nothing delivered within ${ms} ms`)]);
}

/**
 * The control plane's ingest subscription (QoS 1, every host) stops being read, like a client on an overloaded
 * event loop, while `agents` agents publish `rounds` messages each: far more than its socket buffers hold, so the
 * rest waits inside the broker. Returns the stalled subscriber.
 */
async function floodStalledSubscriber(b: BrokerProcess, o: { kind: keyof typeof topicOf; qos: 0 | 1; agents: number; rounds: number }) {
  const control = await connect(b.url, { control: true });
  await control.subscribeAsync([topicOf[o.kind]('+')], { qos: 1 });
  const agents = await Promise.all(Array.from({ length: o.agents }, (_, i) => connect(b.url, { hostId: `h${i}` })));
  control.stream.pause();
  const payload = Buffer.alloc(300, 'x');
  for (let round = 0; round < o.rounds; round++) {
    agents.forEach((a, i) => a.publish(topicOf[o.kind](`h${i}`), payload, { qos: o.qos }));
    if (round % 20 === 0) await sleep(1);
  }
  await sleep(500);
  return control;
}

describe('embedded broker under overload', () => {
  // What `berth serve` saw at ~2,000 agents: its own control client fell behind, aedes held the fleet's messages
  // back, then that connection dropped and the backlog blew the stack ("Maximum call stack size exceeded").
  it.each([
    { kind: 'heartbeat' as const, qos: 0 as const, agents: 200, rounds: 300 },
    { kind: 'status' as const, qos: 1 as const, agents: 200, rounds: 150 },
  ])('survives a QoS $qos $kind flood to a subscriber that stops reading and then drops', async (flood) => {
    const b = broker = await spawnBroker();
    const control = await floodStalledSubscriber(b, flood);
    control.stream.destroy(); // the connection drops with the backlog in the broker
    await sleep(1500);
    expect(b.stderr()).not.toMatch(/Maximum call stack|RangeError/);
    expect(b.proc.exitCode).toBeNull();
    expect(b.proc.signalCode).toBeNull();
    // Still serving: a new client connects, subscribes and gets a publish.
    expect(await deliveredWithin(b, topicOf.status('probe-host'), 5000)).toBe('still here');
    expect(b.proc.exitCode).toBeNull();
  });

  it("does not hold other clients' messages back behind a subscriber that stops reading", async () => {
    const b = broker = await spawnBroker();
    await floodStalledSubscriber(b, { kind: 'heartbeat', qos: 0, agents: 200, rounds: 300 });
    expect(await deliveredWithin(b, topicOf.heartbeat('probe-host'), 3000)).toBe('still here');
  });
});
