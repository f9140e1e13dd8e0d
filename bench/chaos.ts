// `npm run bench -- chaos [--quick]` (issue 10, item 6): a chaos soak with real processes — two `berth serve`
// replicas on one database, Mosquitto, sim agents — and a seeded schedule of faults: kill -9 and SIGSTOP of agents
// and replicas, Mosquitto restarts. Invariants are sampled all along from the agents' own state files (not from
// the control plane's view): no VPN running on two hosts at once, every VPN running on exactly one host once the
// fleet has converged (lost = 0), no agent accepting a document older than one it had applied (stale writes
// accepted = 0). Prints a table of faults and what held, and time to converge after each fault (p50/p99).
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnBerth, stopProcess, exited } from '../functions/node/processes';
import { Cluster, freePort, MOSQUITTO, sleep, waitFor } from '../test/integration/cluster';
import { vpnFleet } from '../test/integration/vpns';
import { mulberry32 } from '../functions/scheduler/select/prng';
import { pct } from './lib';

export const CHAOS_USAGE = 'chaos: [--quick] (BERTH_CHAOS_SEED=<n> replays a schedule; needs Mosquitto)\n';

const HOSTS = ['c0', 'c1', 'c2', 'c3'];
type FaultKind = 'kill-agent' | 'stop-agent' | 'kill-replica' | 'stop-replica' | 'restart-broker';
const KINDS: FaultKind[] = ['kill-agent', 'stop-agent', 'kill-replica', 'stop-replica', 'restart-broker'];

const iso = (ms: number) => new Date(ms).toISOString().slice(11, 23);
/** Percentile of a possibly empty sample (NaN when empty). */
const pctOrNaN = (xs: number[], p: number) => (xs.length === 0 ? NaN : pct(xs, p));

interface FaultRow { n: number; kind: FaultKind; target: string; startedAt: number; endedAt: number; convergeMs: number | null; doubles: number; overlap: number }

/**
 * Hosts the leaders declared dead by silence (every replica's log) that no fault explains: not the faulted agent,
 * not during a broker restart (agents really are cut off then). A live host declared dead has its containers moved
 * while it still runs them — a double placement the 200 ms sampler may or may not catch, so this is counted apart.
 */
function falseDeaths(dir: string, rows: FaultRow[]): { at: number; hostId: string; why: string }[] {
  const out: { at: number; hostId: string; why: string }[] = [];
  for (const f of readdirSync(dir).filter((n) => n.startsWith('serve-') && n.endsWith('.log'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.includes('"hostDead"')) continue;
      try {
        const o = JSON.parse(line);
        const explained = rows.some((r) => o.time >= r.startedAt && o.time <= r.endedAt && (r.target === o.hostId || r.kind === 'restart-broker'));
        if (!explained) out.push({ at: o.time, hostId: o.hostId, why: o.msg });
      } catch { /* a torn last line */ }
    }
  }
  return out;
}

export async function benchChaos(opts: { quick: boolean }): Promise<unknown> {
  if (!MOSQUITTO) { console.log('chaos: skipped — Mosquitto is not installed'); return undefined; }
  const seed = Number(process.env.BERTH_CHAOS_SEED ?? Date.now() % 100000);
  const faults = opts.quick ? 5 : 15;
  const vpns = opts.quick ? 4 : 8;
  const rand = mulberry32(seed);
  console.log(`chaos: seed ${seed}, ${faults} faults, ${vpns} VPNs, ${HOSTS.length} sim agents, 2 replicas + Mosquitto`);

  const c = new Cluster('mosquitto', HOSTS);
  const replicas: { name: string; proc: ChildProcess; port: number }[] = [];
  const startReplica = async (name: string, port?: number) => {
    const p = port ?? await freePort();
    const proc = spawnBerth(['serve'], {
      logFile: join(c.dir, `serve-${name}-${Date.now()}.log`),
      env: {
        BERTH_DB_URL: c.dbUrl, BERTH_PORT: String(p), BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'info', BERTH_MQTT_URL: c.serveMqttUrl,
        BERTH_ADMIN_TOKEN: c.adminToken, BERTH_AGENT_TOKEN: c.agentToken, BERTH_SECRET_KEY: c.secretKey,
      },
    });
    await waitFor(`replica ${name}`, async () => ((await fetch(`http://127.0.0.1:${p}/healthz`)).ok ? true : undefined), 60_000, 100);
    return { name, proc, port: p };
  };

  // Invariant sampling from the agents' own files.
  let doubles = 0;
  /**
   * Doubles where one side is the host of the current agent fault, from the fault until convergence: a frozen
   * agent cannot stop anything, and a killed agent's containers outlive it (on linux charon keeps running) while
   * the control plane fails them over at once on its Last Will. Counted apart: that overlap is the design's.
   */
  let frozenDoubles = 0;
  const frozen = new Set<string>();
  /** Every double placement sample no faulted agent explains, with its time: to be matched with the logs. */
  const doubleLog: { at: number; router: string; hosts: string[] }[] = [];
  let stale = 0;
  const routers: string[] = [];
  const where = () => {
    const m = new Map<string, string[]>();
    for (const h of HOSTS) {
      let st: ReturnType<typeof c.simState>;
      try { st = c.simState(h); } catch { continue; } // a file being replaced: next sample
      for (const r of st?.containers ?? []) {
        if (r.crashed || Date.now() < r.runningAt) continue;
        const id = r.spec.config.routerId;
        (m.get(id) ?? m.set(id, []).get(id)!).push(h);
      }
    }
    return m;
  };
  const staleAccepted = () => {
    // An agent's log: every "desired state accepted" must carry a version not older than the one before it.
    let n = 0;
    for (const h of HOSTS) {
      const path = join(c.dir, `agent-${h}.log`);
      if (!existsSync(path)) continue;
      let last: [number, number] | null = null;
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line.includes('desired state accepted')) continue;
        try {
          const o = JSON.parse(line);
          const v: [number, number] = [o.epoch, o.generation];
          if (last && (v[0] < last[0] || (v[0] === last[0] && v[1] < last[1]))) n++;
          last = v;
        } catch { /* a torn last line */ }
      }
    }
    return n;
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const [router, hosts] of where()) {
        if (hosts.length < 2) continue;
        if (hosts.filter((h) => !frozen.has(h)).length > 1) { doubles++; doubleLog.push({ at: Date.now(), router, hosts }); }
        else frozenDoubles++;
      }
      await sleep(200);
    }
  })();
  const converged = () => {
    const m = where();
    return routers.every((r) => (m.get(r) ?? []).length === 1) ? true : undefined;
  };

  const rows: FaultRow[] = [];
  try {
    await c.start();
    replicas.push({ name: 'A', proc: c.serve!, port: Number(new URL(c.httpUrl).port) });
    replicas.push(await startReplica('B'));
    for (const h of HOSTS) c.startAgent(h);
    for (const h of HOSTS) await waitFor(`${h} alive`, async () => ((await c.host(h))?.alive ? true : undefined), 90_000);
    const fleet = await vpnFleet(c.api, 'chaos');
    for (let i = 0; i < vpns; i++) routers.push(await fleet.add());
    await waitFor('all VPNs running on one agent each', converged, 120_000, 200);

    for (let n = 1; n <= faults; n++) {
      const kind = KINDS[Math.floor(rand() * KINDS.length)];
      const before = doubles;
      const overlapBefore = frozenDoubles;
      let target = '';
      const startedAt = Date.now();
      if (kind === 'kill-agent' || kind === 'stop-agent') {
        target = HOSTS[Math.floor(rand() * HOSTS.length)];
        const p = c.agents.get(target)!;
        frozen.add(target);
        if (kind === 'kill-agent') { p.kill('SIGKILL'); await exited(p); await sleep(1000); c.startAgent(target); }
        else { p.kill('SIGSTOP'); await sleep(3000); p.kill('SIGCONT'); }
      } else if (kind === 'kill-replica' || kind === 'stop-replica') {
        const i = Math.floor(rand() * replicas.length);
        const r = replicas[i];
        target = `replica ${r.name}`;
        if (kind === 'kill-replica') {
          r.proc.kill('SIGKILL'); await exited(r.proc);
          await sleep(500);
          replicas[i] = await startReplica(r.name, r.port);
          if (r.name === 'A') c.serve = replicas[i].proc;
        } else { r.proc.kill('SIGSTOP'); await sleep(3000); r.proc.kill('SIGCONT'); }
      } else {
        target = 'mosquitto';
        c.broker!.kill('SIGKILL'); await exited(c.broker!);
        await sleep(500);
        await (c as unknown as { startMosquitto(): Promise<void> }).startMosquitto();
      }
      const t0 = Date.now();
      let convergeMs: number | null = null;
      try {
        await waitFor('convergence', converged, 60_000, 100);
        convergeMs = Date.now() - t0;
      } catch { /* counted as not converged */ }
      frozen.clear();
      rows.push({ n, kind, target, startedAt, endedAt: Date.now(), convergeMs, doubles: doubles - before, overlap: frozenDoubles - overlapBefore });
      console.log(`  fault ${n} (${iso(startedAt)}..${iso(t0)}): ${kind} ${target} → converged ${convergeMs === null ? 'NO (60 s)' : `${convergeMs} ms`}, double placements ${doubles - before}, overlap with the faulted agent ${frozenDoubles - overlapBefore} samples`);
    }
    for (const d of doubleLog) console.log(`  double placement sample at ${iso(d.at)}: router ${d.router} on ${d.hosts.join(' and ')}`);
    const m = where();
    const lost = routers.filter((r) => (m.get(r) ?? []).length !== 1).length;
    stale = staleAccepted();
    const deaths = falseDeaths(c.dir, rows);
    for (const d of deaths) console.log(`  live host declared dead at ${iso(d.at)}: ${d.hostId} (${d.why})`);
    const times = rows.map((r) => r.convergeMs).filter((x): x is number => x !== null);
    console.log('\n| # | fault | target | converged after (ms) | double placements | overlap with the faulted agent (200 ms samples) |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.n} | ${r.kind} | ${r.target} | ${r.convergeMs ?? 'not in 60 s'} | ${r.doubles} | ${r.overlap} |`);
    console.log(`\nseed ${seed}: faults ${rows.length}; containers lost ${lost}; double placements ${doubles} (samples; plus ${frozenDoubles} samples of overlap with a killed or frozen agent); stale documents accepted ${stale}; live hosts declared dead ${deaths.length}; `
      + `converge after a fault p50 ${pctOrNaN(times, 50)} ms, p99 ${pctOrNaN(times, 99)} ms (from the fault's end; ${rows.length - times.length} did not converge in 60 s)`);
    return { seed, faults: rows, lost, doubles, frozenDoubles, stale, falseDeaths: deaths.length, p50: pctOrNaN(times, 50), p99: pctOrNaN(times, 99) };
  } finally {
    sampling = false;
    await sampler;
    for (const r of replicas) r.proc.kill('SIGCONT');
    for (const p of c.agents.values()) p.kill('SIGCONT');
    await Promise.all(replicas.slice(1).map((r) => stopProcess(r.proc)));
    await c.close(!!process.env.BERTH_IT_KEEP);
  }
}
