// Fleet benchmark: N protocol-level simulated agents (bench/fake-agents.ts: a real MQTT connection each, NOT agent
// processes) heartbeating every 500 ms into `berth serve` — with its embedded aedes broker (the default), or with
// `--broker mosquitto --replicas R` into Mosquitto started with a per-host-credential configuration and R replicas
// on one libSQL file database (bench/fleet-plane.ts). Per N: ingest lag p50/p99 (heartbeat publish → visible in
// the hosts table), CPU and RSS of every berth process and of the broker over a steady window, the time to
// alive=false after an agent's socket is destroyed (crash) or goes silent (SIGSTOP-like), and with `--failover C`
// the time until C VPN containers are RUNNING elsewhere after the agents holding them are killed at once.
// N ramps up (100, 1,000, then doubling) until a level breaks or the cap; `--agents N` runs that level only;
// --quick runs N = 100 only.
import { createClient, type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { count, eq } from 'drizzle-orm';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirtyHosts, hosts } from '../functions/db/schema';
import { loadavg } from 'node:os';
import { fleetHostId, nowMs } from './fake-agents';
import { AgentPool, AGENTS_PER_SHARD } from './agent-pool';
import { startPlane, type BrokerKind, type Plane } from './fleet-plane';
import { measureFailover, type FailoverResult } from './fleet-failover';
import { cpuSeconds, HeartbeatWatcher, machineBusySeconds, median, rssMiB, timeToDead, waitFor, type Reader } from './fleet-measure';
import { fmt, pct, printTable, writeJson } from './lib';

const SIMULATED = 'protocol-level simulated agents: one real MQTT 3.1.1 connection each (username = host id, password = the host\'s own secret on Mosquitto or the fleet token on the embedded broker, '
  + 'keepalive 1 s, Last Will, retained presence, desired subscribed, heartbeat and ping as the liveness profile says, empty status every 2 s), '
  + `spread over shard processes of at most ${AGENTS_PER_SHARD} each (bench/agent-shard.ts) — not agent processes`;
const TARGETS = { agents: 1000, ingestLagP99Ms: 200, crashDetectMs: 1000, silentDetectMs: 2500 };
/** A level is broken (the ramp stops) past any of these. */
const LIMITS = { lagP99Ms: 1000, notSeenRatio: 0.01 };
/** Agents connected per step of the ramp; the next step waits until these are alive and their desired documents out. */
const CHUNK = 250;
const CAP = 16_000; // the benchmark process and berth each hold one socket per agent; the fd limit here is 20,000
/**
 * Liveness profiles (docs/decisions.md, "Liveness at fleet scale"). design: DESIGN's timers — a heartbeat (and a
 * ping) every 500 ms, a host dead after 2 s of silence. broker: liveness from the broker — keepalive 1 s and the
 * Last Will say a host died or went silent (Mosquitto drops a client silent for 1.5 × keepalive), a ping every
 * 500 ms feeds the agent's 1.5 s self-fencing, heartbeats every 5 s, and the control plane's silence rule
 * (BERTH_HOST_DEAD_AFTER_MS) waits 12 s, as a backstop for a broker that cannot tell.
 */
export const LIVENESS = {
  design: { heartbeatMs: 500, pingMs: undefined, serveEnv: {} },
  broker: { heartbeatMs: 5000, pingMs: 500, serveEnv: { BERTH_HOST_DEAD_AFTER_MS: '12000' } },
} as const;
export type Liveness = keyof typeof LIVENESS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LevelOptions {
  windowMs: number;
  trials: number;
  broker: BrokerKind;
  replicas: number;
  /** VPN containers to fail over at the end of the level (0: none). */
  failover: number;
  liveness: Liveness;
}

interface ProcessFigures { name: string; cpuPctOfOneCore: number; rssMiB: number; rssPeakMiB: number }

export async function runLevel(n: number, opts: LevelOptions) {
  const prefix = 'sim';
  const ids = Array.from({ length: n }, (_, i) => fleetHostId(prefix, i));
  const profile = LIVENESS[opts.liveness];
  const plane: Plane = await startPlane({ broker: opts.broker, replicas: opts.replicas, hostIds: ids, env: profile.serveEnv });
  const pool = AgentPool.start(n, { url: plane.mqttUrl, heartbeatMs: profile.heartbeatMs, pingMs: profile.pingMs, keepaliveS: 1 });
  const measured = [...plane.processes.map((p) => ({ name: p.name, pid: p.proc.pid! })), ...pool.pids.map((pid, i) => ({ name: `agents ${i + 1}/${pool.pids.length}`, pid }))];
  const pids = measured.map((p) => p.pid);
  const exitedNow = () => plane.exited().join('; ') || null;
  const client: Client = createClient({ url: `file:${plane.dbFile}` });
  await client.execute('PRAGMA query_only = ON');
  const db = drizzle(client);
  const problems: string[] = [];
  // Interrupted (Ctrl-C, timeout): leave no broker, berth or shard behind.
  const interrupted = () => { void Promise.all([pool.stop(), plane.stop()]).finally(() => process.exit(130)); };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const aliveCount = async () => (await db.select({ c: count() }).from(hosts).where(eq(hosts.alive, true)))[0].c;
    const outboxEmpty = async () => (await db.select({ c: count() }).from(dirtyHosts))[0].c === 0;
    // The fleet comes up CHUNK agents at a time (spread over the shards), each chunk registered (alive, desired
    // document published) before the next: the ramp goes at the pace the broker and berth keep up with, and the
    // level measures the steady state of N agents, not a registration storm.
    const t0 = nowMs();
    let registeredMs = 0;
    const failures: string[] = [];
    for (let from = 0; from < n && !exitedNow(); from += CHUNK) {
      const part = ids.slice(from, from + CHUNK);
      failures.push(...await pool.connect(part.map((h) => [h, plane.secretOf(h)]), 50));
      // Wait for the agents still up (one the broker dropped meanwhile will never be alive again).
      const t = nowMs();
      if (!(await waitFor(async () => (await aliveCount()) >= pool.count('up') && (await outboxEmpty()), 30_000))) {
        problems.push(`only ${await aliveCount()} of ${pool.count('up')} hosts alive 30 s after connecting`);
      }
      registeredMs += nowMs() - t;
      if ((from + part.length) % 1000 === 0 || from + part.length >= n) {
        console.log(`fleet: ${from + part.length}/${n} connected, ${pool.count('up')} up, ${pool.count('lost')} dropped, ${((nowMs() - t0) / 1000).toFixed(0)} s, load average ${loadavg()[0].toFixed(1)}`);
      }
      // A level that lost a tenth of its fleet is broken: measuring the rest of the ramp would only burn time.
      if (pool.count('lost') > n / 10) {
        problems.push(`ramp stopped at ${from + part.length} of ${n} connected: ${pool.count('lost')} dropped`);
        break;
      }
    }
    const connectMs = nowMs() - t0;
    const droppedWhileConnecting = pool.count('lost');
    const upAfterRamp = pool.count('up');
    if (failures.length) problems.push(`${failures.length} connects failed (first: ${failures[0]})`);
    if (droppedWhileConnecting) problems.push(`${droppedWhileConnecting} agents dropped by the broker while the fleet came up`);
    await sleep(2000);

    const watcher = new HeartbeatWatcher(db);
    watcher.start();
    await sleep(1000); // the watcher learns every host's current seq before the window opens
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    await pool.startRecording();
    const w0 = nowMs();
    const cpu0 = pids.map(cpuSeconds);
    const own0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
    const load0 = loadavg()[0];
    const rssPeak = pids.map(() => 0);
    let cpu1 = cpu0;
    while (nowMs() - w0 < opts.windowMs && !exitedNow()) {
      cpu1 = pids.map((pid, i) => (Number.isNaN(cpuSeconds(pid)) ? cpu1[i] : cpuSeconds(pid)));
      pids.forEach((pid, i) => { rssPeak[i] = Math.max(rssPeak[i], rssMiB(pid) || 0); });
      await sleep(500);
    }
    const w1 = nowMs();
    cpu1 = pids.map((pid, i) => (Number.isNaN(cpuSeconds(pid)) ? cpu1[i] : cpuSeconds(pid)));
    const sentInWindow = (await pool.stopRecording()).filter((h) => h.t >= w0 && h.t <= w1);
    const perProcess: ProcessFigures[] = measured.map((p, i) => ({
      name: p.name, cpuPctOfOneCore: ((cpu1[i] - cpu0[i]) / ((w1 - w0) / 1000)) * 100, rssMiB: rssMiB(pids[i]), rssPeakMiB: rssPeak[i],
    }));
    const exited = exitedNow();
    const own = process.cpuUsage(own0);
    const benchCpuPct = ((own.user + own.system) / 1000 / (w1 - w0)) * 100;
    const measuredCpu = perProcess.reduce((s, p) => s + (Number.isFinite(p.cpuPctOfOneCore) ? p.cpuPctOfOneCore : 0), 0);
    // Whatever else ran on the machine meanwhile (other people's tests): shared cores make every figure worse.
    const othersCpuPct = ((machineBusySeconds() - busy0) / ((w1 - w0) / 1000)) * 100 - measuredCpu - benchCpuPct;
    const loadAverage = [load0, loadavg()[0]];
    loop.disable();
    await sleep(3000); // drain: heartbeats sent at the end of the window get the time to land
    await watcher.stop();

    const lags: number[] = [];
    const stampLags: number[] = [];
    for (const h of sentInWindow) {
      const seen = watcher.visible.get(h.hostId)?.[h.seq];
      if (!seen) continue;
      lags.push(seen.at - h.t);
      stampLags.push(seen.stamp - h.at); // berth's own stamp (its clock when it applied the batch) minus the heartbeat's `at`
    }
    const sent = sentInWindow.length;
    const notSeen = sent - lags.length;
    const unexpectedCloses = pool.count('lost');
    // Hosts whose agent is connected and heartbeating, yet marked dead (the silence rule fired on a backlog).
    const dead = await db.select({ id: hosts.id }).from(hosts).where(eq(hosts.alive, false));
    const falselyDead = dead.filter((d) => pool.isUp(d.id)).length;
    if (unexpectedCloses > droppedWhileConnecting) problems.push(`${unexpectedCloses - droppedWhileConnecting} agents disconnected by the broker after the fleet was up`);
    if (falselyDead) problems.push(`${falselyDead} live hosts marked dead`);
    if (sent === 0 || notSeen / sent > LIMITS.notSeenRatio) problems.push(`${notSeen} of ${sent} heartbeats never visible`);
    if (lags.length && pct(lags, 99) > LIMITS.lagP99Ms) problems.push(`p99 ingest lag ${fmt(pct(lags, 99))} ms > ${LIMITS.lagP99Ms} ms`);

    // Dead-host detection, one victim at a time while the rest of the fleet keeps heartbeating.
    const up = pool.upIds();
    const victims = Array.from({ length: Math.min(up.length, 2 * opts.trials) }, (_, i) => up[Math.floor((i * up.length) / (2 * opts.trials))]);
    const crash: (number | null | 'not alive')[] = [];
    const silent: (number | null | 'not alive')[] = [];
    for (const [i, v] of (exited ? [] : victims).entries()) {
      if (i % 2 === 0) crash.push(await timeToDead(db, pool, v, 'crash'));
      else silent.push(await timeToDead(db, pool, v, 'silence'));
      await sleep(300 + Math.random() * 500); // victims are hit at a random phase of their heartbeat
    }
    const ok = (xs: (number | null | 'not alive')[]) => xs.filter((x): x is number => typeof x === 'number');
    if (crash.includes('not alive') || silent.includes('not alive')) problems.push('a victim was already marked dead before it was hit');
    if (crash.includes(null) || silent.includes(null)) problems.push('a victim was never marked dead within 10 s');
    let failover: FailoverResult | null = null;
    if (opts.failover > 0 && !exitedNow()) {
      failover = await measureFailover(plane, db, pool, opts.failover);
      problems.push(...failover.problems);
    }
    if (exitedNow()) problems.push(exitedNow()!);

    return {
      agents: n, connected: upAfterRamp, connectFailures: failures.length, droppedWhileConnecting, connectMs: Math.round(connectMs), registeredMs: Math.round(registeredMs),
      liveness: opts.liveness, shards: pool.pids.length, loadAverage,
      window: { ms: Math.round(w1 - w0), heartbeatsSent: sent, heartbeatsVisible: lags.length, notSeen, polls: watcher.polls, pollErrors: watcher.pollErrors },
      ingestLagMs: lags.length ? { p50: pct(lags, 50), p99: pct(lags, 99), max: pct(lags, 100) } : null,
      applyStampLagMs: stampLags.length ? { p50: pct(stampLags, 50), p99: pct(stampLags, 99) } : null,
      broker: opts.broker, replicas: opts.replicas,
      processes: perProcess,
      failover,
      benchProcess: { cpuPctOfOneCore: benchCpuPct, eventLoopDelayP99Ms: loop.percentile(99) / 1e6 },
      otherProcessesCpuPctOfOneCore: Math.max(0, othersCpuPct),
      unexpectedCloses, falselyDead,
      crashDetectMs: { trials: crash.length, median: median(ok(crash)), max: ok(crash).length ? Math.max(...ok(crash)) : NaN, samples: crash },
      silentDetectMs: { trials: silent.length, median: median(ok(silent)), max: ok(silent).length ? Math.max(...ok(silent)) : NaN, samples: silent },
      healthy: problems.length === 0,
      problems,
    };
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await pool.stop();
    await plane.stop();
    client.close();
  }
}

/**
 * The next N to try: 100, 1,000, then doubling while levels hold (up to CAP); once one breaks, bisect between the
 * largest level that held and the smallest that broke, until they are within a quarter of each other.
 */
export function nextLevel(tried: { agents: number; healthy: boolean }[]): number | null {
  if (tried.length === 0) return 100;
  if (tried.length === 1) return 1000;
  const held = tried.filter((r) => r.healthy).map((r) => r.agents);
  const broke = tried.filter((r) => !r.healthy).map((r) => r.agents);
  const lo = held.length ? Math.max(...held) : 0;
  const hi = broke.length ? Math.min(...broke.filter((b) => b > lo).concat(Infinity)) : Infinity;
  if (hi === Infinity) return lo >= CAP ? null : Math.min(CAP, lo * 2);
  if (hi - lo <= Math.max(50, lo / 4)) return null;
  return Math.round((lo + hi) / 2 / 50) * 50;
}

export interface FleetOptions {
  quick: boolean;
  /** Run these levels only (no ramp). */
  agents?: number[];
  liveness?: Liveness;
  broker?: BrokerKind;
  replicas?: number;
  failover?: number;
}

export const FLEET_USAGE = `npm run bench -- fleet [--quick] [--agents N[,N…]] [--broker embedded|mosquitto] [--replicas R] [--failover C] [--liveness design|broker]
  --agents N,…   run these levels of simulated agents (default: ramp 100, 1,000, doubling, bisect where it breaks)
  --broker B     embedded (default: berth serve's aedes) or mosquitto (started here, one credential per host)
  --replicas R   berth serve processes on one database (default 1; > 1 needs --broker mosquitto)
  --failover C   at the end of the largest level, kill -9 the agents holding C VPN containers and time their failover
  --liveness L   design (default: heartbeat 500 ms, dead after 2 s silence) or broker (keepalive + Last Will;
                 heartbeat 5 s, ping 500 ms, BERTH_HOST_DEAD_AFTER_MS=12000)`;

export async function benchFleet(opts: FleetOptions) {
  const windowMs = opts.quick ? 5000 : 10_000;
  const trials = opts.quick ? 5 : 10;
  const level: LevelOptions = { windowMs, trials, broker: opts.broker ?? 'embedded', replicas: opts.replicas ?? 1, failover: opts.failover ?? 0, liveness: opts.liveness ?? 'design' };
  const results: Awaited<ReturnType<typeof runLevel>>[] = [];
  const listed = opts.agents ? [...opts.agents].sort((a, b) => a - b) : null;
  const largestListed = listed?.[listed.length - 1];
  const next = (): number | null => (listed ? listed[results.length] ?? null : opts.quick && results.length ? null : nextLevel(results));
  for (let n = next(); n !== null; n = next()) {
    console.log(`fleet: ${n} simulated agents, ${level.broker} broker, ${level.replicas} berth serve, liveness ${level.liveness}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}…`);
    // The failover runs once, at the largest listed level (or every level of a ramp, whose largest is unknown).
    const r = await runLevel(n, { ...level, failover: listed && n !== largestListed ? 0 : level.failover });
    results.push(r);
    console.log(r.healthy ? `fleet: ${n} ok` : `fleet: ${n} broke: ${r.problems.join('; ')}`);
    writeJson('fleet-partial', { liveness: level.liveness, broker: level.broker, replicas: level.replicas, levels: results }); // survives an interrupted run
  }
  results.sort((a, b) => a.agents - b.agents);
  const held = results.filter((r) => r.healthy).map((r) => r.agents);
  const broke = results.find((r) => !r.healthy && r.agents > Math.max(0, ...held));
  const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : fmt(x));
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
  const procs = (r: (typeof results)[number]) => r.processes.map((p) => `${p.name}: ${num(p.cpuPctOfOneCore)} % / ${num(p.rssMiB)} MiB`).join('; ');
  printTable(
    `fleet: protocol-level simulated agents (real MQTT connections from ${AGENTS_PER_SHARD}-agent shard processes, not agent processes), liveness ${level.liveness} (heartbeat ${LIVENESS[level.liveness].heartbeatMs} ms) → ${level.broker === 'embedded' ? 'berth serve (embedded aedes, libSQL file)' : `Mosquitto (per-host credentials) → ${level.replicas} berth serve on one libSQL file`}; window ${windowMs / 1000} s`,
    ['agents', 'load avg', 'ingest lag p50 / p99 / max ms', 'visible / sent', 'CPU % (1 core) / RSS per process', 'crash → dead median / max ms', 'silent → dead median / max ms', 'failover p50 / p99 / max ms', 'bench CPU % / loop p99 ms', 'others CPU %', 'verdict'],
    results.map((r) => [
      r.connected === r.agents ? r.agents : `${r.connected}/${r.agents}`,
      r.loadAverage.map((l) => l.toFixed(1)).join(' → '),
      r.ingestLagMs ? `${ms(r.ingestLagMs.p50)} / ${ms(r.ingestLagMs.p99)} / ${ms(r.ingestLagMs.max)}` : '-',
      `${r.window.heartbeatsVisible} / ${r.window.heartbeatsSent}`,
      procs(r),
      // On a broken level the victims' fate says more about the overload than about detection.
      r.healthy ? `${ms(r.crashDetectMs.median)} / ${ms(r.crashDetectMs.max)}` : '-',
      r.healthy ? `${ms(r.silentDetectMs.median)} / ${ms(r.silentDetectMs.max)}` : '-',
      r.failover?.ms ? `${ms(r.failover.ms.p50)} / ${ms(r.failover.ms.p99)} / ${ms(r.failover.ms.max)} (${r.failover.moved}/${r.failover.containers})` : '-',
      `${r.benchProcess.cpuPctOfOneCore.toFixed(0)} / ${r.benchProcess.eventLoopDelayP99Ms.toFixed(1)}`,
      num(r.otherProcessesCpuPctOfOneCore),
      r.healthy ? 'ok' : r.problems.join('; '),
    ]),
  );
  if (!opts.quick && !opts.agents) console.log(broke ? `most held: ${Math.max(...held)} agents; broke at ${broke.agents}` : `held every level up to the cap of ${CAP} agents`);
  const largest = results[results.length - 1];
  if (largest) {
    console.log(`fleet ${largest.agents} agents: p99 ingest lag ${largest.ingestLagMs ? fmt(largest.ingestLagMs.p99) : '-'} ms, crash detect max ${ms(largest.crashDetectMs.max)} ms, silent detect max ${ms(largest.silentDetectMs.max)} ms`);
  }
  writeJson('fleet', {
    simulated: SIMULATED,
    method: {
      ingestLag: 'heartbeat publish (bench clock, just before the PUBLISH is written) → start of the first ~10 ms poll of the hosts table (read-only libSQL connection on the same file) that shows it or a newer heartbeat of the host; upper bound, resolution one poll',
      applyStampLag: "berth's last_heartbeat_at (its clock when it applied the batch, before the commit) − the heartbeat's `at`: a lower bound of the same lag",
      broker: level.broker, replicas: level.replicas,
      failover: 'C VPN containers created through the Neutron API and RUNNING (the simulated agents report RUNNING for what their desired document lists); the agents holding them are crashed at once (socket destroyed) → per container, the first 20 ms poll of the containers table showing it RUNNING on another host',
      cpu: '/proc/<pid>/stat utime+stime delta over the window, % of one core, per berth process and the broker', rss: '/proc/<pid>/status VmRSS at the end of the window (peak sampled every 500 ms)',
      crash: 'socket destroyed without DISCONNECT (kill -9 equivalent: the broker publishes the Last Will) → first 5 ms poll showing alive=false',
      silent: 'no heartbeat, no ping, nothing read, socket kept open (SIGSTOP equivalent) → first 5 ms poll showing alive=false; with keepalive 1 s the broker gives up after 1.5 s and publishes the Will, before the 2 s silence rule',
      limits: LIMITS, cap: CAP,
    },
    targets: TARGETS,
    mostHeld: held.length ? Math.max(...held) : 0,
    brokeAt: broke ? { agents: broke.agents, problems: broke.problems } : null,
    levels: results,
  });
  return results;
}
