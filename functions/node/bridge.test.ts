// berth bridge against the real embedded broker (aedes with berth's ACL) and a real HTTP server standing where the
// ingest endpoint would be: what it forwards, in what order, with which credential, what it does when the
// endpoint fails or refuses, what a full queue costs, when it sends keepalive batches, and its command line.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../shared/logger';
import { startBridge, type Bridge } from './bridge';
import { runBridgeCli } from './bridge-cli';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { agentClientId, enrolPassword } from './mqtt-acl';
import { memoryCredentialStore, testHostSecret } from './credential-store-memory';

const creds = { agentToken: 'agent-token-for-tests-0123456789', controlPassword: 'control-password-for-tests-0123', hosts: memoryCredentialStore() };
const BIN = fileURLToPath(new URL('../../bin/berth.ts', import.meta.url));

interface Post { auth: string | undefined; messages: { topic: string; payload: string }[] }

let broker: EmbeddedBroker;
let server: Server;
let ingestUrl: string;
let posts: Post[];
/** What the fake endpoint answers to the next POSTs (default 200). */
let answer: () => number;
const cleanups: (() => Promise<unknown> | void)[] = [];

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function agent(hostId: string, will = true): Promise<MqttClient> {
  const c = await mqtt.connectAsync(broker.url, {
    protocolVersion: 4, clientId: agentClientId(hostId), username: hostId, password: enrolPassword(creds.agentToken, testHostSecret(hostId)), reconnectPeriod: 0,
    will: will ? { topic: `berth/v1/hosts/${hostId}/presence`, payload: Buffer.from(JSON.stringify({ v: 1, online: false })), qos: 1, retain: true } : undefined,
  });
  cleanups.push(() => c.endAsync(true));
  return c;
}

async function bridge(over: Partial<Parameters<typeof startBridge>[0]> = {}): Promise<Bridge> {
  const b = await startBridge({ mqttUrl: broker.url, ingestUrl, controlPassword: creds.controlPassword, shared: false, logger: silentLogger, keepaliveMs: 0, ...over });
  cleanups.push(() => b.close());
  await waitUntil(() => b.stats().subscribed, 'the bridge to subscribe');
  return b;
}

const forwarded = () => posts.flatMap((p) => p.messages);

beforeEach(async () => {
  posts = [];
  answer = () => 200;
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, credentials: creds, logger: silentLogger });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const status = answer();
      if (status === 200) posts.push({ auth: req.headers.authorization, messages: JSON.parse(body).messages });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { accepted: 0, dropped: { invalid: 1 } } : { error: 'no' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  ingestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/agent-events`;
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await broker.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('berth bridge', () => {
  it('forwards presence, heartbeats, status and a Last Will in order, as the control credential', async () => {
    const b = await bridge();
    const h1 = await agent('h1');
    await h1.publishAsync('berth/v1/hosts/h1/presence', JSON.stringify({ v: 1, online: true }), { qos: 1, retain: true });
    for (let i = 0; i < 5; i++) await h1.publishAsync('berth/v1/hosts/h1/heartbeat', JSON.stringify({ v: 1, seq: i }), { qos: 0 });
    await h1.publishAsync('berth/v1/hosts/h1/status', JSON.stringify({ v: 1, containers: [] }), { qos: 1 });
    h1.stream.destroy(); // a crash: the broker publishes the Last Will
    await waitUntil(() => forwarded().length >= 8, '8 forwarded messages');
    const got = forwarded();
    expect(got.map((m) => m.topic.split('/').pop())).toEqual(['presence', 'heartbeat', 'heartbeat', 'heartbeat', 'heartbeat', 'heartbeat', 'status', 'presence']);
    expect(got.filter((m) => m.topic.endsWith('heartbeat')).map((m) => JSON.parse(m.payload).seq)).toEqual([0, 1, 2, 3, 4]);
    expect(JSON.parse(got[7].payload)).toEqual({ v: 1, online: false });
    expect(new Set(posts.map((p) => p.auth))).toEqual(new Set([`Bearer ${creds.controlPassword}`]));
    expect(posts.length).toBeLessThan(8); // batched
    await waitUntil(() => b.stats().posted === 8, 'the bridge to count its deliveries');
    expect(b.stats()).toMatchObject({ received: 8, posted: 8, droppedByIngest: { invalid: posts.length } });
  });

  it('retries a failing endpoint with backoff and delivers; drops a batch the endpoint refuses as malformed', async () => {
    let failures = 3;
    answer = () => (failures-- > 0 ? 503 : 200);
    const b = await bridge();
    const h1 = await agent('h1', false);
    await h1.publishAsync('berth/v1/hosts/h1/heartbeat', '{"v":1}', { qos: 1 });
    await waitUntil(() => forwarded().length === 1, 'delivery after retries');
    expect(b.stats().retries).toBe(3);

    answer = () => 400;
    await h1.publishAsync('berth/v1/hosts/h1/heartbeat', '{"v":1,"bad":true}', { qos: 1 });
    await waitUntil(() => b.stats().dropped.refused === 1, 'the refused batch to be dropped');
    expect(b.stats().posted).toBe(1);
  });

  it('holds a bounded queue while the endpoint is down and counts what it drops', async () => {
    answer = () => 503;
    const b = await bridge({ queueLimit: 5, maxBatch: 2 });
    const h1 = await agent('h1', false);
    for (let i = 0; i < 20; i++) await h1.publishAsync('berth/v1/hosts/h1/heartbeat', JSON.stringify({ v: 1, seq: i }), { qos: 1 });
    await waitUntil(() => b.stats().received === 20, 'all 20 received');
    const s = b.stats();
    // 2 in the batch being retried + at most 5 queued; the rest dropped.
    expect(s.dropped.queueFull).toBeGreaterThanOrEqual(13);
    expect(s.queued).toBeLessThanOrEqual(5);
    answer = () => 200;
    await waitUntil(() => b.stats().queued === 0 && forwarded().length === 20 - s.dropped.queueFull, 'the queue to drain');
  });

  it('posts empty keepalive batches only while subscribed', async () => {
    const b = await bridge({ keepaliveMs: 100 });
    await waitUntil(() => posts.filter((p) => p.messages.length === 0).length >= 3, 'three keepalives');
    await broker.close(); // the broker is gone: the bridge cannot hear the agents and must not say it does
    await waitUntil(() => !b.stats().subscribed, 'the bridge to notice');
    const before = posts.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(posts.length).toBe(before);
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, credentials: creds, logger: silentLogger }); // for afterEach
  });

  it('refuses bad flags with a clear error and prints --help', async () => {
    // The verb is wired in the one berth entry (a real process)...
    const help = spawnSync(process.execPath, ['--import', 'tsx', BIN, 'bridge', '--help'], { encoding: 'utf8', timeout: 120_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: berth bridge/);
    // ...and bad input is refused before anything starts (in-process: each spawn costs seconds on a loaded machine).
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errors.push(String(m)); });
    try {
      const env = { BERTH_CONTROL_PASSWORD: 'x'.repeat(20) };
      const cases: [string[], RegExp][] = [
        [['--batch', '0'], /--batch must be a whole number/],
        [['--mqtt', 'http://x'], /--mqtt must use mqtt:/],
        [['--ingest-url', 'not a url'], /--ingest-url is not a URL/],
        [['--bogus'], /Unknown option '--bogus'/],
      ];
      for (const [args, message] of cases) {
        errors.length = 0;
        expect(await runBridgeCli(args, env)).toBe(2);
        expect(errors.join('\n')).toMatch(message);
      }
    } finally {
      spy.mockRestore();
    }
  }, 180_000);
});
