// The control plane a fleet benchmark level runs against: either one `berth serve` with its embedded aedes broker
// (the default), or Mosquitto started here with a per-host-credential configuration (`berth mqtt-acl`'s ACL, one
// password line per host, each host its own random secret) and R `berth serve` replicas on one database file, all
// subscribed to the agent topics through a shared subscription (each message is ingested by one replica).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { controlPassword } from '../functions/node/mqtt';
import { CONTROL_USER } from '../functions/node/mqtt-acl';
import { mosquittoAcl } from '../functions/node/mosquitto';
import { hashSecret } from '../functions/crypto';
import { openNodeDatabase } from '../functions/node/database';
import { hostCredentials } from '../functions/db/schema';
import { MOSQUITTO } from '../test/integration/cluster';
import { freePort, startServe, type Server } from './lib';

export type BrokerKind = 'embedded' | 'mosquitto';

export interface PlaneOptions {
  broker: BrokerKind;
  /** berth serve processes (≥ 1; more than one needs an external broker). */
  replicas: number;
  /** Host ids the broker must know (Mosquitto has no wildcard users). */
  hostIds: readonly string[];
  /** Extra environment for every berth serve (a liveness profile's timers). */
  env?: Record<string, string>;
}

export interface MeasuredProcess { name: string; proc: ChildProcess }

export interface Plane {
  mqttUrl: string;
  dbFile: string;
  /** The admin API of the first replica. */
  api: Server;
  /** The MQTT password of a host: its own secret (pre-created in the database, or in Mosquitto's password file). */
  secretOf(hostId: string): string;
  /** Every process whose CPU and RSS the benchmark reports: the berth replicas, then the broker. */
  processes: MeasuredProcess[];
  /** Names of berth processes that exited while the benchmark did not ask them to. */
  exited(): string[];
  stop(): Promise<void>;
}

const FLEET_TOKEN = 'bench-agent-token-0123456789abcdef';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPlane(opts: PlaneOptions): Promise<Plane> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-fleet-'));
  const dbFile = join(dir, 'berth.db');
  if (opts.broker === 'embedded') {
    if (opts.replicas !== 1) throw new Error('--replicas > 1 needs an external broker (--broker mosquitto): aedes has no shared subscriptions');
    const mqttPort = await freePort();
    const server = await startServe({ BERTH_DB_URL: `file:${dbFile}`, BERTH_MQTT_PORT: String(mqttPort), BERTH_AGENT_TOKEN: FLEET_TOKEN, ...opts.env });
    const secrets = hostSecrets(opts.hostIds);
    await seedHostCredentials(dbFile, secrets);
    return planeOf(dir, dbFile, `mqtt://127.0.0.1:${mqttPort}`, [server], null, (h) => secrets.get(h) ?? '');
  }
  if (!MOSQUITTO) throw new Error('--broker mosquitto: no mosquitto binary (apt-get install mosquitto)');
  const secrets = hostSecrets(opts.hostIds);
  const port = await freePort();
  const broker = await startMosquitto(dir, port, secrets);
  const mqttUrl = `mqtt://127.0.0.1:${port}`;
  const replicas: Server[] = [];
  // One after another: the first applies the migrations, the others find them applied.
  for (let i = 0; i < opts.replicas; i++) {
    replicas.push(await startServe({ BERTH_DB_URL: `file:${dbFile}`, BERTH_MQTT_URL: mqttUrl, BERTH_AGENT_TOKEN: FLEET_TOKEN, ...opts.env }));
  }
  return planeOf(dir, dbFile, mqttUrl, replicas, broker, (h) => secrets.get(h) ?? '');
}

const hostSecrets = (ids: readonly string[]) => new Map(ids.map((h) => [h, randomBytes(18).toString('base64url')]));

/**
 * Each simulated host gets its own credential, as an operator would issue with POST /v1/hosts/{id}/token — written
 * straight into the database (one transaction for the fleet; 10,000 API calls would dominate the level's set-up).
 */
async function seedHostCredentials(dbFile: string, secrets: ReadonlyMap<string, string>): Promise<void> {
  const rows = await Promise.all([...secrets].map(async ([hostId, s]) => ({ hostId, secretHash: await hashSecret(s), issuedBy: 'admin', createdAt: Date.now() })));
  const database = await openNodeDatabase({ url: `file:${dbFile}` });
  try {
    await database.write(async (tx) => {
      for (let i = 0; i < rows.length; i += 500) await tx.insert(hostCredentials).values(rows.slice(i, i + 500)).onConflictDoNothing();
    });
  } finally {
    database.close();
  }
}

function planeOf(dir: string, dbFile: string, mqttUrl: string, replicas: Server[], broker: ChildProcess | null, secretOf: (h: string) => string): Plane {
  const gone: string[] = [];
  let stopping = false;
  const names = replicas.map((_, i) => `berth serve${replicas.length > 1 ? ` #${i + 1}` : ''}`);
  replicas.forEach((r, i) => {
    const note = () => { if (!stopping) gone.push(`${names[i]} exited during the run (${r.proc.signalCode ?? `code ${r.proc.exitCode}`})`); };
    if (r.proc.exitCode !== null || r.proc.signalCode !== null) note();
    else r.proc.once('exit', note);
  });
  if (broker) broker.once('exit', () => { if (!stopping) gone.push(`mosquitto exited during the run (${broker.signalCode ?? `code ${broker.exitCode}`})`); });
  return {
    mqttUrl, dbFile, api: replicas[0], secretOf,
    processes: [...replicas.map((r, i) => ({ name: names[i], proc: r.proc })), ...(broker ? [{ name: 'mosquitto', proc: broker }] : [])],
    exited: () => [...gone],
    async stop() {
      stopping = true;
      // A berth that does not exit on SIGTERM (wedged under overload) must not hang the benchmark: SIGKILL it.
      await Promise.all(replicas.map(async (r) => {
        if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
        const stopped = await Promise.race([r.stop().then(() => true), sleep(15_000).then(() => false)]);
        if (!stopped) { r.proc.kill('SIGKILL'); gone.push('a berth serve did not exit within 15 s of SIGTERM'); }
      }));
      broker?.kill('SIGTERM');
      void dir;
    },
  };
}

/**
 * Mosquitto with berth's ACL (`berth mqtt-acl`) and a password file holding berth-control and one line per host
 * with that host's own secret: written in clear, then hashed in place by `mosquitto_passwd -U` (one process for the
 * whole fleet; one `-b` call per host would take minutes at 10,000 hosts).
 */
async function startMosquitto(dir: string, port: number, secrets: ReadonlyMap<string, string>): Promise<ChildProcess> {
  const passwd = join(dir, 'berth.passwd');
  const lines = [`${CONTROL_USER}:${await controlPassword(ADMIN_TOKEN)}`, ...[...secrets].map(([h, s]) => `${h}:${s}`)];
  writeFileSync(passwd, `${lines.join('\n')}\n`, { mode: 0o600 });
  execFileSync('mosquitto_passwd', ['-U', passwd]);
  writeFileSync(join(dir, 'berth.acl'), mosquittoAcl());
  writeFileSync(join(dir, 'mosquitto.conf'), [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    `password_file ${passwd}`,
    `acl_file ${join(dir, 'berth.acl')}`,
    'persistence false',
    'max_connections -1',
    // As `berth mqtt-acl conf` sets them: Mosquitto's default of 20 QoS 1 messages in flight per client throttles each
    // berth replica's control client (every host's presence and status go through it), the queue behind it (1,000)
    // overflows and Mosquitto drops messages meant for berth. BENCH_MOSQUITTO_INFLIGHT=20 BENCH_MOSQUITTO_QUEUED=1000
    // runs with Mosquitto's defaults.
    `max_inflight_messages ${process.env.BENCH_MOSQUITTO_INFLIGHT ?? '0'}`,
    `max_queued_messages ${process.env.BENCH_MOSQUITTO_QUEUED ?? '100000'}`,
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type error', 'log_type warning', 'log_type notice',
    // As root, mosquitto would switch to its own user, which cannot read our owner-only files.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    '',
  ].join('\n'));
  const proc = spawn(MOSQUITTO!, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'ignore'] });
  const password = await controlPassword(ADMIN_TOKEN);
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(`mqtt://127.0.0.1:${port}`, { username: CONTROL_USER, password, clientId: `berth-control-probe-${i}`, reconnectPeriod: 0, connectTimeout: 1000 });
      c.once('connect', () => { c.end(true); resolve(true); });
      c.once('error', () => { c.end(true); resolve(false); });
      c.once('close', () => resolve(false));
    });
    if (ok) return proc;
    await sleep(100);
  }
  proc.kill('SIGKILL');
  throw new Error('mosquitto did not accept berth-control within 10 s');
}
