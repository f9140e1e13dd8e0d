// `npm run bench -- worker` (issue 8): the serverless control plane under `npm run dev:worker` (the Worker in
// workerd + stand-ins) beside `npm start` (berth serve), same run, same steps, real sim agents:
//   create → RUNNING (from the POST of the IPsec site connection to its container RUNNING), API create latency,
//   kill -9 → all of the victim's containers RUNNING elsewhere, SIGSTOP (silent host) → the same.
// And database round trips: per create-site-connection request and per controller step, counted on the
// @libsql/client HTTP path (the Worker's) against the libSQL stand-in, plus per pipeline pass inside workerd.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, waitFor } from '../test/integration/cluster';
import { DevWorkerCluster } from '../test/integration/dev-worker-cluster';
import { vpnFactory } from '../test/integration/failover-kit';
import { exited } from '../functions/node/processes';
import type { Api } from '../functions/node/seed-vpn';
import { pct, printTable, writeJson } from './lib';
import { roundTripsOverHttp } from './worker-round-trips';

const HOSTS = ['host0', 'host1', 'host2', 'host3'];
const CONNECTIONS = '/v2.0/vpn/ipsec-site-connections';

interface ModeResult {
  createToRunning: number[];
  apiCreate: number[];
  kill: number[];
  stop: number[];
  /** dev:worker only: round trips of each pipeline pass as workerd logged them. */
  passRoundTrips?: number[];
}

const alive = (c: Cluster, h: string) => waitFor(`${h} alive`, async () => ((await c.host(h))?.alive ? true : undefined), 60_000, 50);

/** An Api that times the site-connection POST: its latency, and when it was sent. */
function timed(api: Api, sink: { sentAt: number; latency: number }): Api {
  return async (method, path, body) => {
    const t0 = performance.now();
    const r = await api(method, path, body);
    if (method === 'POST' && path === CONNECTIONS) Object.assign(sink, { sentAt: t0, latency: performance.now() - t0 });
    return r;
  };
}

async function createTrials(c: Cluster, n: number, out: ModeResult): Promise<void> {
  const sink = { sentAt: 0, latency: 0 };
  const factory = await vpnFactory(timed(c.api, sink));
  for (let i = 0; i < n; i++) {
    const routerId = await factory.vpn(i + 1);
    await waitFor(`router ${i + 1}'s container RUNNING`, async () => {
      const x = (await c.containers()).find((y) => y.configurationId === routerId);
      return x?.status === 'RUNNING' ? true : undefined;
    }, 60_000, 10);
    out.createToRunning.push(performance.now() - sink.sentAt);
    out.apiCreate.push(sink.latency);
  }
}

/** Signal the host running the most containers; time until every one of them RUNNING on another host. */
async function failoverTrials(c: Cluster, signal: 'SIGKILL' | 'SIGSTOP', n: number): Promise<number[]> {
  const times: number[] = [];
  for (let t = 0; t < n; t++) {
    const all = await c.containers();
    const count = new Map<string, number>();
    for (const x of all) if (x.hostId) count.set(x.hostId, (count.get(x.hostId) ?? 0) + 1);
    const victim = [...count.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const moving = all.filter((x) => x.hostId === victim).map((x) => x.id as string);
    const p = c.agents.get(victim)!;
    const t0 = performance.now();
    p.kill(signal);
    await waitFor(`${moving.length} containers RUNNING off ${victim}`, async () => {
      const now = await c.containers();
      return moving.every((id) => {
        const x = now.find((y) => y.id === id);
        return x && x.hostId && x.hostId !== victim && x.status === 'RUNNING';
      }) ? true : undefined;
    }, 60_000, 10);
    times.push(performance.now() - t0);
    if (signal === 'SIGSTOP') p.kill('SIGKILL');
    await exited(p);
    c.startAgent(victim);
    await alive(c, victim);
  }
  return times;
}

async function runMode(c: Cluster, trials: number): Promise<ModeResult> {
  const out: ModeResult = { createToRunning: [], apiCreate: [], kill: [], stop: [] };
  await c.start();
  try {
    for (const h of HOSTS) c.startAgent(h);
    for (const h of HOSTS) await alive(c, h);
    await createTrials(c, trials, out);
    out.kill = await failoverTrials(c, 'SIGKILL', trials);
    out.stop = await failoverTrials(c, 'SIGSTOP', trials);
    if (c instanceof DevWorkerCluster) {
      out.passRoundTrips = c.log().split('\n').filter((l) => l.includes('"pipeline pass"')).map((l) => {
        const m = /"roundTrips":(\d+)/.exec(l);
        return m ? Number(m[1]) : NaN;
      }).filter((x) => Number.isFinite(x));
    }
  } finally {
    await c.close();
  }
  return out;
}

const row = (what: string, v: number[], target = '') => [what, v.length, v.length ? pct(v, 50).toFixed(0) : '-', v.length ? pct(v, 99).toFixed(0) : '-', v.length ? Math.max(...v).toFixed(0) : '-', target];

export async function benchWorker(opts: { quick?: boolean } = {}) {
  const trials = opts.quick ? 3 : 10;
  const loadBefore = loadavg();
  const serve = await runMode(new Cluster('embedded', HOSTS), trials);
  const worker = await runMode(new DevWorkerCluster(HOSTS), trials);
  const scratch = mkdtempSync(join(tmpdir(), 'berth-bench-rt-'));
  let rt;
  try {
    rt = await roundTripsOverHttp(join(scratch, 'berth.db'), trials);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  const rows = [
    ...(['npm start', 'dev:worker'] as const).flatMap((mode) => {
      const r = mode === 'npm start' ? serve : worker;
      return [
        row(`${mode}: create → RUNNING`, r.createToRunning),
        row(`${mode}: API create site connection`, r.apiCreate),
        row(`${mode}: kill -9 → RUNNING elsewhere`, r.kill, '≤ 2000 (p99)'),
        row(`${mode}: SIGSTOP → RUNNING elsewhere`, r.stop, '≤ 3000 (p99)'),
      ];
    }),
  ];
  printTable(`serverless control plane (dev:worker: workerd + stand-ins) beside npm start, ${HOSTS.length} sim agents, ${trials} trials each (ms)`,
    ['what', 'trials', 'p50', 'p99', 'max', 'target'], rows);
  const passes = worker.passRoundTrips ?? [];
  printTable('database round trips (HTTP requests to libSQL) on the Worker\'s path',
    ['what', 'samples', 'p50', 'p99', 'max', 'target'], [
      row('create site connection (API request, @libsql/client HTTP)', rt.create, '≤ 4'),
      row('controller step that places the new container', rt.placingStep),
      row('controller step that fails over a dead host\'s containers', rt.failoverStep),
      row('controller step with nothing to do', rt.idleStep),
      row('pipeline pass in workerd (step + drains + relay)', passes),
    ]);
  console.log(`load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`);
  writeJson('worker', { hosts: HOSTS.length, trials, quick: !!opts.quick, loadBefore, loadAfter, samplesMs: { 'npm start': serve, 'dev:worker': worker }, roundTrips: { ...rt, pipelinePass: passes } });
  return { serve, worker, rt };
}
