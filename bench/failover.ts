// Failover and hand-over with real processes (issue 4): `berth serve` + `berth agent --driver sim` agents.
// (1) an agent holding 10 VPN containers is killed (kill -9) or frozen (SIGSTOP): time from the signal to all 10
// RUNNING on other hosts, p50/p99 over the trials; (2) two `berth serve` replicas on one database and one
// Mosquitto: kill -9 the leader, time until the other holds the lease and has placed a new container.
import { join } from 'node:path';
import { Cluster, freePort, MOSQUITTO, sleep, waitFor } from '../test/integration/cluster';
import { vpnFleet } from '../test/integration/vpns';
import { exited, spawnBerth, stopProcess } from '../functions/node/processes';
import { httpApi } from '../functions/node/seed-vpn';
import { pct, printTable, writeJson } from './lib';

const HOSTS = ['host0', 'host1', 'host2', 'host3'];
const N = 10;

const alive = (c: Cluster, h: string) => waitFor(`${h} alive`, async () => ((await c.host(h))?.alive ? true : undefined), 20_000, 50);

async function failoverTrials(c: Cluster, mode: 'kill' | 'stop', trials: number): Promise<number[]> {
  const times: number[] = [];
  for (let t = 0; t < trials; t++) {
    const victim = HOSTS[t % HOSTS.length];
    // Gather all N containers on the victim (operator migration), running.
    for (const x of await c.containers()) {
      if (x.hostId !== victim) {
        const r = await c.api('PUT', `/v1/containers/${x.id}/host`, { hostId: victim });
        if (r.status !== 202) throw new Error(`migrate ${x.id} to ${victim}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
    await waitFor(`${N} RUNNING on ${victim}`, async () => {
      const all = await c.containers();
      return all.every((x) => x.hostId === victim && x.status === 'RUNNING') ? true : undefined;
    }, 30_000, 50);
    const p = c.agents.get(victim)!;
    const t0 = performance.now();
    p.kill(mode === 'kill' ? 'SIGKILL' : 'SIGSTOP');
    await waitFor(`all RUNNING off ${victim}`, async () => {
      const all = await c.containers();
      return all.every((x) => x.hostId !== victim && x.hostId !== null && x.status === 'RUNNING') ? true : undefined;
    }, 30_000, 10);
    times.push(performance.now() - t0);
    // Bring the victim back as a fresh agent for the next trials.
    if (mode === 'stop') p.kill('SIGKILL');
    await exited(p);
    c.startAgent(victim);
    await alive(c, victim);
  }
  return times;
}

async function handover(trials: number): Promise<number[]> {
  if (!MOSQUITTO) return [];
  const c = new Cluster('mosquitto', HOSTS.slice(0, 2));
  await c.start();
  const times: number[] = [];
  try {
    for (const h of HOSTS.slice(0, 2)) c.startAgent(h);
    for (const h of HOSTS.slice(0, 2)) await alive(c, h);
    const env = {
      BERTH_DB_URL: c.dbUrl, BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'info', BERTH_ADMIN_TOKEN: c.adminToken,
      BERTH_AGENT_TOKEN: c.agentToken, BERTH_SECRET_KEY: c.secretKey, BERTH_MQTT_URL: c.serveMqttUrl,
    };
    // Replica B beside the cluster's serve (A, the leader: it started first).
    const ports = [0, await freePort()];
    const spawnReplica = async (i: number) => {
      const port = ports[i] || (ports[i] = await freePort());
      const p = spawnBerth(['serve'], { env: { ...env, BERTH_PORT: String(port), BERTH_MQTT_PORT: String(await freePort()) }, logFile: join(c.dir, `replica-${i}.log`) });
      await waitFor(`replica ${i} up`, async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined), 20_000, 50);
      return p;
    };
    const replicas = [c.serve!, await spawnReplica(1)];
    ports[0] = Number(new URL(c.httpUrl).port);
    let leader = 0;
    const fleet = await vpnFleet(httpApi(c.httpUrl, c.adminToken), 'ho');
    await fleet.add();
    await sleep(1000);
    for (let t = 0; t < trials; t++) {
      const other = 1 - leader;
      const api = httpApi(`http://127.0.0.1:${ports[other]}`, c.adminToken);
      const next = await vpnFleet(api, `ho${t}`);
      const t0 = performance.now();
      replicas[leader].kill('SIGKILL');
      const router = await next.add();
      await waitFor('the other replica to place the new container', async () => {
        const all = (await api('GET', '/v1/containers')).body.containers as any[];
        return all.find((x) => x.configurationId === router && x.hostId !== null) ? true : undefined;
      }, 30_000, 10);
      times.push(performance.now() - t0);
      await exited(replicas[leader]);
      replicas[leader] = await spawnReplica(leader);
      leader = other;
      await sleep(500);
    }
    await Promise.all(replicas.map((p) => stopProcess(p)));
    c.serve = null;
  } finally {
    await c.close();
  }
  return times;
}

export async function benchFailover(opts: { quick?: boolean } = {}) {
  const trials = opts.quick ? 3 : 20;
  const c = new Cluster('embedded', HOSTS);
  await c.start();
  const results: Record<string, number[]> = {};
  try {
    for (const h of HOSTS) c.startAgent(h);
    for (const h of HOSTS) await alive(c, h);
    const fleet = await vpnFleet(c.api, 'fo');
    for (let i = 0; i < N; i++) await fleet.add();
    results['kill -9'] = await failoverTrials(c, 'kill', trials);
    results.SIGSTOP = await failoverTrials(c, 'stop', trials);
  } finally {
    await c.close();
  }
  results['leader hand-over'] = await handover(opts.quick ? 2 : 5);
  const targets: Record<string, number> = { 'kill -9': 1000, SIGSTOP: 3000, 'leader hand-over': 2500 };
  const rows = Object.entries(results).filter(([, v]) => v.length > 0).map(([k, v]) => [k, v.length, pct(v, 50).toFixed(0), pct(v, 99).toFixed(0), Math.max(...v).toFixed(0), `< ${targets[k]}`]);
  printTable(`failover of an agent holding ${N} containers (to all RUNNING elsewhere), and leader hand-over (to a new container placed)`,
    ['what', 'trials', 'p50 ms', 'p99 ms', 'max ms', 'target ms'], rows);
  if (!MOSQUITTO) console.log('leader hand-over skipped: no mosquitto binary (two replicas need one external broker)');
  writeJson('failover', { containers: N, hosts: HOSTS.length, quick: !!opts.quick, targetsMs: targets, samplesMs: results });
  return results;
}
