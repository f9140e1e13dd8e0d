// A real berth cluster for integration tests: `berth serve` as a child process (temp database, free ports), real
// `berth agent --driver sim` processes, and either the embedded broker or a real Mosquitto configured from
// `berth mqtt-acl` (conf, acl, passwd). Agents on the embedded broker enrol with the fleet token on first start;
// on Mosquitto each host is issued its secret first (POST /v1/hosts/{id}/token → password_file → SIGHUP).
// Helpers poll the HTTP API and read each sim agent's own state file.
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { exited, spawnBerth, spawnSimAgent, stopProcess } from '../../functions/node/processes';
import { httpApi, type Api } from '../../functions/node/seed-vpn';
import { controlPassword } from '../../functions/node/mqtt';
import { SIM_STATE_FILE, type SimState } from '../../agent/drivers/sim/driver';

export type BrokerMode = 'embedded' | 'mosquitto';

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find(existsSync);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls probe until it returns something other than undefined; the error names what and the last value seen. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

export class Cluster {
  /** Made by start(): a suite that is filtered out leaves nothing behind. */
  dir = '';
  readonly adminToken = 'it-admin-token-0123456789abcdef';
  readonly agentToken = 'it-agent-token-0123456789abcdef';
  readonly secretKey = 'it-secret-key-0123456789abcdef';
  readonly telemetryToken = 'it-telemetry-token-0123456789abcdef';
  dbUrl = '';
  httpUrl = '';
  /** Where agents (and tests acting as hosts) connect. */
  mqttUrl = '';
  /** Where berth serve replicas connect: on Mosquitto its own listener (distinct client ids), else mqttUrl. */
  serveMqttUrl = '';
  /** Secrets issued through the API (issue()); agents of other hosts enrol (embedded) by themselves. */
  readonly secrets = new Map<string, string>();
  /** Extra environment for berth serve (e.g. BERTH_MQTT_TLS_CERT). */
  serveEnv: Record<string, string> = {};
  /** Extra agent flags (e.g. --ca). */
  agentArgs: string[] = [];
  api!: Api;
  serve: ChildProcess | null = null;
  broker: ChildProcess | null = null;
  readonly agents = new Map<string, ChildProcess>();
  private httpPort = 0;
  private mqttPort = 0;
  private controlPort = 0;
  private serveRuns = 0;

  constructor(readonly mode: BrokerMode, readonly hostIds: string[]) {}

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'berth-it-'));
    this.dbUrl = `file:${join(this.dir, 'berth.db')}`;
    this.httpPort = await freePort();
    this.mqttPort = await freePort();
    this.httpUrl = `http://127.0.0.1:${this.httpPort}`;
    this.mqttUrl = `${this.serveEnv.BERTH_MQTT_TLS_CERT ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.mqttPort}`;
    this.serveMqttUrl = this.mqttUrl;
    this.api = httpApi(this.httpUrl, this.adminToken);
    if (this.mode === 'mosquitto') {
      this.controlPort = await freePort();
      this.serveMqttUrl = `mqtt://127.0.0.1:${this.controlPort}`;
    }
    await this.startServe();
    if (this.mode === 'mosquitto') {
      for (const h of this.hostIds) this.secrets.set(h, await this.postToken(h));
      await this.startMosquitto();
    }
  }

  private async postToken(hostId: string): Promise<string> {
    const r = await this.api('POST', `/v1/hosts/${hostId}/token`);
    if (r.status !== 201) throw new Error(`POST /v1/hosts/${hostId}/token: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token.token;
  }

  /** Issues (or rotates) a host's secret through the API; on Mosquitto, rewrites the password_file and reloads. */
  async issue(hostId: string): Promise<string> {
    const secret = await this.postToken(hostId);
    this.secrets.set(hostId, secret);
    if (this.mode === 'mosquitto') await this.reloadMosquitto();
    return secret;
  }

  private berthCli(args: string[]): string {
    const env = { ...process.env, BERTH_ADMIN_TOKEN: this.adminToken, BERTH_AGENT_TOKEN: this.agentToken, BERTH_TELEMETRY_TOKEN: this.telemetryToken, BERTH_DB_URL: this.dbUrl };
    return execFileSync(process.execPath, ['--import', 'tsx', 'bin/berth.ts', ...args], { env, encoding: 'utf8' });
  }

  /** berth mqtt-acl passwd → the password_file, then SIGHUP (Mosquitto re-reads it). */
  async reloadMosquitto(): Promise<void> {
    writeFileSync(join(this.dir, 'berth.passwd'), this.berthCli(['mqtt-acl', 'passwd']), { mode: 0o600 });
    this.broker?.kill('SIGHUP');
    await sleep(300);
  }

  /** Mosquitto configured exactly as `berth mqtt-acl` says: its mosquitto.conf, acl_file and password_file. */
  private async startMosquitto(): Promise<void> {
    writeFileSync(join(this.dir, 'berth.acl'), this.berthCli(['mqtt-acl']));
    writeFileSync(join(this.dir, 'berth.passwd'), this.berthCli(['mqtt-acl', 'passwd']), { mode: 0o600 });
    const tls = this.serveEnv.BERTH_MQTT_TLS_CERT ? ['--cert', this.serveEnv.BERTH_MQTT_TLS_CERT, '--key', this.serveEnv.BERTH_MQTT_TLS_KEY] : [];
    const conf = this.berthCli(['mqtt-acl', 'conf', '--port', String(this.mqttPort), '--control-port', String(this.controlPort), '--dir', this.dir, ...tls]);
    writeFileSync(join(this.dir, 'mosquitto.conf'), [
      conf,
      'persistence false',
      // As root, mosquitto would switch to its own user, which cannot read our owner-only files.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      '',
    ].join('\n'));
    this.broker = spawn(MOSQUITTO!, ['-c', join(this.dir, 'mosquitto.conf'), '-v'], { stdio: ['ignore', 'ignore', 'ignore'] });
    await waitFor('mosquitto to accept berth-control', async () => {
      const c = await this.control();
      await c.endAsync();
      return true;
    }, 10_000, 100);
  }

  async startServe(): Promise<void> {
    this.serve = spawnBerth(['serve'], {
      logFile: join(this.dir, `serve-${++this.serveRuns}.log`),
      env: {
        BERTH_DB_URL: this.dbUrl, BERTH_PORT: String(this.httpPort), BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'info',
        BERTH_ADMIN_TOKEN: this.adminToken, BERTH_AGENT_TOKEN: this.agentToken, BERTH_SECRET_KEY: this.secretKey, BERTH_TELEMETRY_TOKEN: this.telemetryToken,
        BERTH_MQTT_PORT: String(this.mqttPort), BERTH_MQTT_URL: this.mode === 'mosquitto' ? this.serveMqttUrl : '',
        ...this.serveEnv,
      },
    });
    await waitFor('berth serve to answer /healthz', async () => ((await fetch(`${this.httpUrl}/healthz`)).ok ? true : undefined), 60_000, 100);
  }

  async killServe(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.serve!;
    p.kill(signal);
    await exited(p);
  }

  startAgent(hostId: string): ChildProcess {
    const p = spawnSimAgent({
      hostId, mqttUrl: this.mqttUrl, token: this.agentToken, secret: this.secrets.get(hostId), stateDir: this.agentStateDir(hostId),
      logFile: join(this.dir, `agent-${hostId}.log`), extraArgs: this.agentArgs,
    });
    this.agents.set(hostId, p);
    return p;
  }

  agentStateDir(hostId: string): string {
    return join(this.dir, `agent-${hostId}`);
  }

  async killAgent(hostId: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.agents.get(hostId)!;
    p.kill(signal);
    await exited(p);
  }

  /** What the sim driver of a host holds (its own file: the agent's view, not the control plane's). */
  simState(hostId: string): SimState | undefined {
    const path = join(this.dir, `agent-${hostId}`, SIM_STATE_FILE);
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
  }

  async host(id: string): Promise<any> {
    const r = await this.api('GET', `/v1/hosts/${id}`);
    return r.status === 200 ? r.body.host : undefined;
  }

  async containers(): Promise<any[]> {
    return (await this.api('GET', '/v1/containers')).body.containers;
  }

  /** An MQTT 3.1.1 client (on the agents' listener) that never reconnects by itself (a refused CONNECT rejects). */
  connect(opts: IClientOptions, url = this.mqttUrl): Promise<MqttClient> {
    const ca = this.serveEnv.BERTH_MQTT_TLS_CERT && url.startsWith('mqtts:') ? { ca: readFileSync(this.serveEnv.BERTH_MQTT_TLS_CERT) } : {};
    return mqtt.connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 3000, ...ca, ...opts });
  }

  /** Connects as host hostId with the secret issue() gave it (or the one its agent keeps after enrolling). */
  asHost(hostId: string, opts: IClientOptions = {}): Promise<MqttClient> {
    const secret = this.secrets.get(hostId) ?? readFileSync(join(this.agentStateDir(hostId), 'host-secret'), 'utf8').trim();
    return this.connect({ username: hostId, password: secret, clientId: `berth-agent-${hostId}`, ...opts });
  }

  /** As the control plane, on the control plane's listener. */
  async control(): Promise<MqttClient> {
    return this.connect({ username: 'berth-control', password: await controlPassword(this.adminToken), clientId: `berth-control-it-${Math.random().toString(16).slice(2, 8)}` }, this.serveMqttUrl);
  }

  /** The retained desired document of a host, read as the control plane. */
  async retainedDesired(hostId: string): Promise<any> {
    const c = await this.control();
    try {
      const got = new Promise<string>((resolve) => c.on('message', (_t, payload) => resolve(payload.toString())));
      await c.subscribeAsync(`berth/v1/hosts/${hostId}/desired`, { qos: 1 });
      const text = await Promise.race([got, sleep(3000).then(() => undefined)]);
      return text === undefined ? undefined : JSON.parse(text);
    } finally {
      await c.endAsync(true);
    }
  }

  async close(keep = false): Promise<void> {
    await Promise.all([...this.agents.values()].map((p) => stopProcess(p)));
    if (this.serve) await stopProcess(this.serve);
    if (this.broker) await stopProcess(this.broker);
    if (!this.dir) return;
    if (keep) console.log(`integration test state kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
