// `berth demo` (npm run demo): the control plane with its embedded broker, three simulated hosts (host0..host2)
// as agent child processes, and the seed's VPN created through the HTTP API — then where its container runs and
// how to watch it. Everything lives in a fresh temporary directory; Ctrl-C stops the agents and removes it.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './serve';
import { exited, spawnSimAgent, stopProcess } from './processes';
import { createSeedVpn, httpApi, type Api } from './seed-vpn';

const HOSTS = ['host0', 'host1', 'host2'];

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function first(api: Api, path: string, key: string): Promise<any> {
  const r = await api('GET', path);
  return r.status === 200 ? r.body[key]?.[0] : undefined;
}

/** Runs until SIGINT/SIGTERM; returns the exit code then (or throws when the demo cannot start). */
export async function runDemo(env: Record<string, string | undefined> = process.env): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-demo-'));
  process.env.BERTH_LOG_LEVEL ??= 'warn'; // the control plane's log would bury the demo's own lines
  const agents = new Map<string, ChildProcess>();
  const server = await startServer({
    ...env, BERTH_DB_URL: `file:${join(dir, 'berth.db')}`, BERTH_MQTT_URL: undefined,
    BERTH_PORT: env.BERTH_PORT ?? '0', BERTH_MQTT_PORT: env.BERTH_MQTT_PORT ?? '0',
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the agents and the control plane ...');
    await Promise.all([...agents.values()].map((p) => stopProcess(p)));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const { config } = server.deps;
    const api = httpApi(server.url, config.adminToken);
    for (const hostId of HOSTS) {
      const p = spawnSimAgent({ hostId, mqttUrl: server.mqttUrl, token: config.agentToken, stateDir: join(dir, hostId), logFile: join(dir, `${hostId}.log`) });
      agents.set(hostId, p);
      void exited(p).then(() => { if (!stopping) console.log(`agent ${hostId} (pid ${p.pid}) exited; see ${join(dir, `${hostId}.log`)}`); });
    }
    console.log(`control plane on ${server.url}, MQTT broker on ${server.mqttUrl}, state in ${dir}`);
    console.log(`agents: ${[...agents].map(([h, p]) => `${h} (pid ${p.pid})`).join(', ')}; waiting for them to register ...`);
    await until('three live hosts', 30_000, async () => {
      const r = await api('GET', '/v1/hosts');
      return r.body?.hosts?.filter((h: { alive: boolean }) => h.alive).length === HOSTS.length ? true : undefined;
    });

    console.log('creating the seed VPN (mercury → venus) through the Neutron API ...');
    const vpn = await createSeedVpn(api);
    const box = await until('the VPN container to run', 30_000, async () => {
      const c = await first(api, `/v1/containers?configurationId=${vpn.routerId}`, 'containers');
      return c?.status === 'RUNNING' ? c : undefined;
    });
    const service = (await api('GET', `/v2.0/vpn/vpnservices/${vpn.vpnServiceId}`)).body.vpnservice;
    const conn = (await api('GET', `/v2.0/vpn/ipsec-site-connections/${vpn.connectionId}`)).body.ipsec_site_connection;
    const tokenFile = join(dir, 'admin-token');
    console.log(`
The VPN container ${box.id} runs on ${box.hostId} (agent pid ${agents.get(box.hostId)?.pid}):
  container status ${box.status}, scheduler state ${box.schedulerState}, namespace ${box.namespace}
  VPN service mercury: ${service.status}; connection to-venus: ${conn.status}

Watch it (in another terminal):
  curl -s -H "X-Auth-Token: $(cat ${tokenFile})" ${server.url}/v1/containers
  curl -s -H "X-Auth-Token: $(cat ${tokenFile})" ${server.url}/v1/hosts
  curl -s -H "X-Auth-Token: $(cat ${tokenFile})" ${server.url}/v2.0/vpn/ipsec-site-connections
  BERTH_URL=${server.url} BERTH_TOKEN=$(cat ${tokenFile}) npm run berth -- container list
Fail it over: kill -9 ${agents.get(box.hostId)?.pid}   (its host is marked dead and the container moves)
Agent logs: ${dir}/host*.log.  Ctrl-C stops everything.`);
  } catch (e) {
    console.error(`berth demo: ${(e as Error).message}`);
    await stop(1);
  }
  return -1;
}
