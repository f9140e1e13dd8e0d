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
import { eq } from 'drizzle-orm';
import { loadavg } from 'node:os';
import { hosts } from '../functions/db/schema';
import { fleetHostId } from './fake-agents';
import { AgentPool, AGENTS_PER_SHARD } from './agent-pool';
import { startPlane, type BrokerKind, type Plane } from './fleet-plane';
import { measureFailover, type FailoverResult } from './fleet-failover';
import { median } from './fleet-measure';
import { detectionTrials, measureWindow, rampUp, type LevelContext } from './fleet-level';
import { fmt, pct, printTable, writeJson } from './lib';

const SIMULATED = 'protocol-level simulated agents: one real MQTT 3.1.1 connection each (username = host id, password = the host\'s own secret on Mosquitto or the fleet token on the embedded broker, '
  + 'keepalive 1 s, Last Will, retained presence, desired subscribed, heartbeat and ping as the liveness profile says, empty status every 2 s), '
  + `spread over shard processes of at most ${AGENTS_PER_SHARD} each (bench/agent-shard.ts) — not agent processes`;
const TARGETS = { agents: 1000, ingestLagP99Ms: 200, crashDetectMs: 1000, silentDetectMs: 2500 };
/** A level is broken (the ramp stops) past any of these. */
const LIMITS = { lagP99Ms: 1000, notSeenRatio: 0.01 };
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

export async function runLevel(n: number, opts: LevelOptions) {
  const ids = Array.from({ length: n }, (_, i) => fleetHostId('sim', i));
  const profile = LIVENESS[opts.liveness];
  const plane: Plane = await startPlane({ broker: opts.broker, replicas: opts.replicas, hostIds: ids, env: profile.serveEnv });
  const pool = AgentPool.start(n, { url: plane.mqttUrl, heartbeatMs: profile.heartbeatMs, pingMs: profile.pingMs, keepaliveS: 1 });
  const client: Client = createClient({ url: `file:${plane.dbFile}` });
  await client.execute('PRAGMA query_only = ON');
  const db = drizzle(client);
  const ctx: LevelContext = {
    plane, pool, db, problems: [],
    measured: [...plane.processes.map((p) => ({ name: p.name, pid: p.proc.pid! })), ...pool.pids.map((pid, i) => ({ name: `agents ${i + 1}/${pool.pids.length}`, pid }))],
    exitedNow: () => plane.exited().join('; ') || null,
  };
  const { problems } = ctx;
  // Interrupted (Ctrl-C, timeout): leave no broker, berth or shard behind.
  const interrupted = () => { void Promise.all([pool.stop(), plane.stop()]).finally(() => process.exit(130)); };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const ramp = await rampUp(ctx, ids);
    await sleep(2000);
    const w = await measureWindow(ctx, opts.windowMs);
    const notSeen = w.sent - w.lags.length;
    const unexpectedCloses = pool.count('lost');
    // Hosts whose agent is connected and heartbeating, yet marked dead (the silence rule fired on a backlog).
    const dead = await db.select({ id: hosts.id }).from(hosts).where(eq(hosts.alive, false));
    const falselyDead = dead.filter((d) => pool.isUp(d.id)).length;
    if (unexpectedCloses > ramp.droppedWhileConnecting) problems.push(`${unexpectedCloses - ramp.droppedWhileConnecting} agents disconnected by the broker after the fleet was up`);
    if (falselyDead) problems.push(`${falselyDead} live hosts marked dead`);
    if (w.sent === 0 || notSeen / w.sent > LIMITS.notSeenRatio) problems.push(`${notSeen} of ${w.sent} heartbeats never visible`);
    if (w.lags.length && pct(w.lags, 99) > LIMITS.lagP99Ms) problems.push(`p99 ingest lag ${fmt(pct(w.lags, 99))} ms > ${LIMITS.lagP99Ms} ms`);

    const { crash, silent } = await detectionTrials(ctx, opts.trials);
    const ok = (xs: (number | null | 'not alive')[]) => xs.filter((x): x is number => typeof x === 'number');
    let failover: FailoverResult | null = null;
    if (opts.failover > 0 && !ctx.exitedNow()) {
      failover = await measureFailover(plane, db, pool, opts.failover);
      problems.push(...failover.problems);
    }
    if (ctx.exitedNow()) problems.push(ctx.exitedNow()!);

    return {
      agents: n, connected: ramp.upAfterRamp, connectFailures: ramp.connectFailures, droppedWhileConnecting: ramp.droppedWhileConnecting,
      connectMs: Math.round(ramp.connectMs), registeredMs: Math.round(ramp.registeredMs),
      liveness: opts.liveness, shards: pool.pids.length, loadAverage: w.loadAverage,
      window: { ms: Math.round(w.ms), heartbeatsSent: w.sent, heartbeatsVisible: w.lags.length, notSeen, polls: w.polls, pollErrors: w.pollErrors },
      ingestLagMs: w.lags.length ? { p50: pct(w.lags, 50), p99: pct(w.lags, 99), max: pct(w.lags, 100) } : null,
      applyStampLagMs: w.stampLags.length ? { p50: pct(w.stampLags, 50), p99: pct(w.stampLags, 99) } : null,
      broker: opts.broker, replicas: opts.replicas,
      processes: w.processes,
      failover,
      benchProcess: w.benchProcess,
      otherProcessesCpuPctOfOneCore: w.otherProcessesCpuPctOfOneCore,
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
