// The three phases of one fleet benchmark level (bench/fleet.ts runLevel orchestrates them): the ramp that brings
// the fleet up CHUNK agents at a time, the steady window where ingest lag and every process's CPU and RSS are
// measured, and the dead-host detection trials. Each phase appends what went wrong to `problems`.
import { count, eq } from 'drizzle-orm';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirtyHosts, hosts } from '../functions/db/schema';
import { nowMs } from './fake-agents';
import type { AgentPool } from './agent-pool';
import type { Plane } from './fleet-plane';
import { cpuSeconds, HeartbeatWatcher, machineBusySeconds, rssMiB, timeToDead, waitFor, type Reader } from './fleet-measure';

/** Agents connected per step of the ramp; the next step waits until these are alive and their desired documents out. */
const CHUNK = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LevelContext {
  plane: Plane;
  pool: AgentPool;
  db: Reader;
  /** Every measured process (berth replicas, the broker, the generator's shards). */
  measured: { name: string; pid: number }[];
  /** Why a berth process or the broker exited, or null while all run. */
  exitedNow(): string | null;
  problems: string[];
}

export interface ProcessFigures { name: string; cpuPctOfOneCore: number; rssMiB: number; rssPeakMiB: number }

/**
 * The fleet comes up CHUNK agents at a time (spread over the shards), each chunk registered (alive, desired
 * document published) before the next: the ramp goes at the pace the broker and berth keep up with, and the
 * level measures the steady state of N agents, not a registration storm.
 */
export async function rampUp(ctx: LevelContext, ids: readonly string[]) {
  const { db, pool, plane, problems } = ctx;
  const n = ids.length;
  const aliveCount = async () => (await db.select({ c: count() }).from(hosts).where(eq(hosts.alive, true)))[0].c;
  const outboxEmpty = async () => (await db.select({ c: count() }).from(dirtyHosts))[0].c === 0;
  const t0 = nowMs();
  let registeredMs = 0;
  const failures: string[] = [];
  for (let from = 0; from < n && !ctx.exitedNow(); from += CHUNK) {
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
  const droppedWhileConnecting = pool.count('lost');
  if (failures.length) problems.push(`${failures.length} connects failed (first: ${failures[0]})`);
  if (droppedWhileConnecting) problems.push(`${droppedWhileConnecting} agents dropped by the broker while the fleet came up`);
  return { connectMs: nowMs() - t0, registeredMs, connectFailures: failures.length, droppedWhileConnecting, upAfterRamp: pool.count('up') };
}

/**
 * The steady window: every heartbeat the agents send is matched with the moment it became visible in the hosts
 * table (ingest lag); CPU and RSS of every process from /proc; the load the rest of the machine added.
 */
export async function measureWindow(ctx: LevelContext, windowMs: number) {
  const { db, pool, measured } = ctx;
  const pids = measured.map((p) => p.pid);
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
  while (nowMs() - w0 < windowMs && !ctx.exitedNow()) {
    cpu1 = pids.map((pid, i) => (Number.isNaN(cpuSeconds(pid)) ? cpu1[i] : cpuSeconds(pid)));
    pids.forEach((pid, i) => { rssPeak[i] = Math.max(rssPeak[i], rssMiB(pid) || 0); });
    await sleep(500);
  }
  const w1 = nowMs();
  cpu1 = pids.map((pid, i) => (Number.isNaN(cpuSeconds(pid)) ? cpu1[i] : cpuSeconds(pid)));
  const sentInWindow = (await pool.stopRecording()).filter((h) => h.t >= w0 && h.t <= w1);
  const processes: ProcessFigures[] = measured.map((p, i) => ({
    name: p.name, cpuPctOfOneCore: ((cpu1[i] - cpu0[i]) / ((w1 - w0) / 1000)) * 100, rssMiB: rssMiB(pids[i]), rssPeakMiB: rssPeak[i],
  }));
  const own = process.cpuUsage(own0);
  const benchCpuPct = ((own.user + own.system) / 1000 / (w1 - w0)) * 100;
  const measuredCpu = processes.reduce((s, p) => s + (Number.isFinite(p.cpuPctOfOneCore) ? p.cpuPctOfOneCore : 0), 0);
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
  return {
    ms: w1 - w0, sent: sentInWindow.length, lags, stampLags, processes, loadAverage, polls: watcher.polls, pollErrors: watcher.pollErrors,
    benchProcess: { cpuPctOfOneCore: benchCpuPct, eventLoopDelayP99Ms: loop.percentile(99) / 1e6 },
    otherProcessesCpuPctOfOneCore: Math.max(0, othersCpuPct),
  };
}

type Detection = number | null | 'not alive';

/** Dead-host detection, one victim at a time while the rest of the fleet keeps heartbeating: crash and silence alternate. */
export async function detectionTrials(ctx: LevelContext, trials: number) {
  const up = ctx.pool.upIds();
  const victims = Array.from({ length: Math.min(up.length, 2 * trials) }, (_, i) => up[Math.floor((i * up.length) / (2 * trials))]);
  const crash: Detection[] = [];
  const silent: Detection[] = [];
  for (const [i, v] of (ctx.exitedNow() ? [] : victims).entries()) {
    if (i % 2 === 0) crash.push(await timeToDead(ctx.db, ctx.pool, v, 'crash'));
    else silent.push(await timeToDead(ctx.db, ctx.pool, v, 'silence'));
    await sleep(300 + Math.random() * 500); // victims are hit at a random phase of their heartbeat
  }
  if (crash.includes('not alive') || silent.includes('not alive')) ctx.problems.push('a victim was already marked dead before it was hit');
  if (crash.includes(null) || silent.includes(null)) ctx.problems.push('a victim was never marked dead within 10 s');
  return { crash, silent };
}
