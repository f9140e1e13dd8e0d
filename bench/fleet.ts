// Fleet benchmark: N protocol-level simulated agents (bench/fake-agents.ts: a real MQTT connection each, NOT agent
// processes) heartbeating every 500 ms into `berth serve` (embedded aedes broker, libSQL file database). Per N:
// ingest lag p50/p99 (heartbeat publish → visible in the hosts table), control-plane CPU and RSS over a steady
// window, and the time to alive=false after an agent's socket is destroyed (crash) or goes silent (SIGSTOP-like).
// N ramps up (100, 1,000, then doubling) until a level breaks or the cap; --quick runs N = 100 only.
import { createClient, type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { count, eq, gte } from 'drizzle-orm';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirtyHosts, hosts } from '../functions/db/schema';
import { connectFleet, nowMs, type FakeAgent } from './fake-agents';
import { fmt, freePort, pct, printTable, startServe, writeJson } from './lib';

const SIMULATED = 'protocol-level simulated agents: one real MQTT 3.1.1 connection each (username = host id, agent token, '
  + 'keepalive 1 s, Last Will, retained presence, desired subscribed, ping + heartbeat every 500 ms, empty status every 2 s), '
  + 'all in one benchmark process — not agent processes';
const TARGETS = { agents: 1000, ingestLagP99Ms: 200, crashDetectMs: 1000, silentDetectMs: 2500 };
/** A level is broken (the ramp stops) past any of these. */
const LIMITS = { lagP99Ms: 1000, notSeenRatio: 0.01 };
const CAP = 16_000; // the benchmark process and berth each hold one socket per agent; the fd limit here is 20,000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Reader = ReturnType<typeof drizzle>;

// ---- /proc: CPU (utime+stime, all threads of the process) and resident memory ----
const CLK_TCK = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100; } catch { return 100; } })();
/** NaN once the process is gone (berth can crash mid-run; the benchmark reports it instead of dying with it). */
const procFile = (path: string): string => { try { return readFileSync(path, 'utf8'); } catch { return ''; } };
function cpuSeconds(pid: number): number {
  const stat = procFile(`/proc/${pid}/stat`);
  if (!stat) return NaN;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state): utime = 14, stime = 15
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
/** CPU seconds every process on the machine has used (the first line of /proc/stat, idle and iowait excluded). */
function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}
const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(procFile(`/proc/${pid}/status`))?.[1] ?? NaN) / 1024;

/**
 * Watches the hosts table for heartbeats becoming visible. Method: a read-only libSQL connection of this process
 * on the same database file (WAL: readers never block berth's writer), polled every ~10 ms for the rows whose
 * last_heartbeat_at is at or above the newest one seen so far — berth commits ingest batches one after another, so
 * a newer commit never carries an older stamp, and a poll returns only the rows that changed. Asking berth through
 * GET /v1/hosts instead would spend the very CPU we measure, on the same event loop as the ingest. A heartbeat's
 * `load` field carries its seq, so a row says exactly which heartbeat it reflects; a heartbeat counts as visible
 * at the start of the first poll that shows it or a later one of its host (resolution: one poll interval).
 */
class HeartbeatWatcher {
  readonly visibleAt = new Map<string, number[]>();
  readonly stampLag: number[] = [];
  private lastSeq = new Map<string, number>();
  private cutoff = 0;
  private running = false;
  private done: Promise<void> = Promise.resolve();
  polls = 0;
  pollErrors = 0;

  constructor(private readonly db: Reader, private readonly byHost: ReadonlyMap<string, FakeAgent>) {}

  start() {
    this.running = true;
    this.done = (async () => {
      while (this.running) {
        await this.poll().catch(() => { this.pollErrors++; });
        await sleep(10);
      }
    })();
  }

  async stop() { this.running = false; await this.done; }

  private async poll() {
    const t = nowMs();
    const rows = await this.db.select({ id: hosts.id, seq: hosts.load, stamp: hosts.lastHeartbeatAt }).from(hosts).where(gte(hosts.lastHeartbeatAt, this.cutoff));
    this.polls++;
    for (const r of rows) {
      if (r.seq === null || r.stamp === null) continue;
      this.cutoff = Math.max(this.cutoff, r.stamp);
      const prev = this.lastSeq.get(r.id) ?? -1;
      if (r.seq <= prev) continue;
      this.lastSeq.set(r.id, r.seq);
      const seen = this.visibleAt.get(r.id) ?? this.visibleAt.set(r.id, []).get(r.id)!;
      for (let s = prev + 1; s <= r.seq; s++) seen[s] = t;
      // berth's own stamp (its clock when it applied the batch, before the commit) minus the heartbeat's `at`.
      const sent = this.byHost.get(r.id)?.sent[r.seq];
      if (sent) this.stampLag.push(r.stamp - sent.at);
    }
  }
}

/** Acts on one agent, then polls its row until alive=false; ms from the act to the first poll that shows it. */
async function timeToDead(db: Reader, agent: FakeAgent, act: (a: FakeAgent) => void, timeoutMs = 10_000): Promise<number | null | 'not alive'> {
  const [before] = await db.select({ alive: hosts.alive }).from(hosts).where(eq(hosts.id, agent.hostId));
  if (!before?.alive) return 'not alive'; // nothing to detect: an overloaded berth already thinks it is dead
  const t0 = nowMs();
  act(agent);
  while (nowMs() - t0 < timeoutMs) {
    const t = nowMs();
    const [row] = await db.select({ alive: hosts.alive }).from(hosts).where(eq(hosts.id, agent.hostId));
    if (row && !row.alive) return t - t0;
    await sleep(5);
  }
  return null;
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = nowMs() + timeoutMs;
  while (nowMs() < end) {
    if (await cond()) return true;
    await sleep(100);
  }
  return false;
}

const median = (xs: number[]) => (xs.length ? pct(xs, 50) : NaN);

export async function runLevel(n: number, opts: { windowMs: number; trials: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-fleet-'));
  const dbFile = join(dir, 'berth.db');
  const mqttPort = await freePort();
  const token = 'bench-agent-token-0123456789abcdef';
  const server = await startServe({ BERTH_DB_URL: `file:${dbFile}`, BERTH_MQTT_PORT: String(mqttPort), BERTH_AGENT_TOKEN: token });
  const pid = server.proc.pid!;
  let exited: string | null = null;
  let stopping = false;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    if (!stopping) exited = `berth serve exited during the run (${signal ?? `code ${code}`})`;
  };
  // It may already be gone (e.g. its HTTP port was taken between freePort and listen): 'exit' will not come again.
  if (server.proc.exitCode !== null || server.proc.signalCode !== null) onExit(server.proc.exitCode, server.proc.signalCode);
  else server.proc.once('exit', onExit);
  const client: Client = createClient({ url: `file:${dbFile}` });
  await client.execute('PRAGMA query_only = ON');
  const db = drizzle(client);
  const problems: string[] = [];
  let agents: FakeAgent[] = [];
  try {
    const aliveCount = async () => (await db.select({ c: count() }).from(hosts).where(eq(hosts.alive, true)))[0].c;
    const outboxEmpty = async () => (await db.select({ c: count() }).from(dirtyHosts))[0].c === 0;
    // The fleet comes up 250 agents at a time, each chunk registered (alive, desired document published) before the
    // next: this measures the steady state of N agents, not a registration storm.
    let registeredMs = 0;
    const fleet = await connectFleet({
      url: `mqtt://127.0.0.1:${mqttPort}`, token, n, prefix: 'sim', concurrency: 50, chunk: 250,
      betweenChunks: async (connected) => {
        const t = nowMs();
        if (exited) return;
        if (!(await waitFor(async () => (await aliveCount()) >= connected && (await outboxEmpty()), 30_000))) {
          problems.push(`only ${await aliveCount()} of ${connected} hosts alive 30 s after connecting`);
        }
        registeredMs += nowMs() - t;
      },
    });
    agents = fleet.agents;
    if (fleet.failures.length) problems.push(`${fleet.failures.length} connects failed (first: ${fleet.failures[0]})`);
    if (fleet.dropped) problems.push(`${fleet.dropped} agents dropped by the broker while the fleet came up`);
    await sleep(2000);

    const byHost = new Map(agents.map((a) => [a.hostId, a]));
    const watcher = new HeartbeatWatcher(db, byHost);
    watcher.start();
    await sleep(1000); // the watcher learns every host's current seq before the window opens
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const w0 = nowMs();
    const cpu0 = cpuSeconds(pid);
    const own0 = process.cpuUsage();
    const busy0 = machineBusySeconds();
    let rssPeak = 0;
    let cpu1 = cpu0;
    while (nowMs() - w0 < opts.windowMs && !exited) {
      cpu1 = cpuSeconds(pid);
      rssPeak = Math.max(rssPeak, rssMiB(pid) || 0);
      await sleep(500);
    }
    const w1 = nowMs();
    if (!exited) cpu1 = cpuSeconds(pid);
    const cpuPct = exited ? NaN : ((cpu1 - cpu0) / ((w1 - w0) / 1000)) * 100;
    const own = process.cpuUsage(own0);
    const benchCpuPct = ((own.user + own.system) / 1000 / (w1 - w0)) * 100;
    // Whatever else ran on the machine meanwhile (other people's tests): shared cores make every figure worse.
    const othersCpuPct = ((machineBusySeconds() - busy0) / ((w1 - w0) / 1000)) * 100 - cpuPct - benchCpuPct;
    loop.disable();
    const rss = exited ? rssPeak || NaN : rssMiB(pid);
    await sleep(3000); // drain: heartbeats sent at the end of the window get the time to land
    await watcher.stop();

    const lags: number[] = [];
    let sent = 0;
    for (const a of agents) {
      const seen = watcher.visibleAt.get(a.hostId) ?? [];
      a.sent.forEach((h, seq) => {
        if (h.t < w0 || h.t > w1) return;
        sent++;
        if (seen[seq] !== undefined) lags.push(seen[seq] - h.t);
      });
    }
    const notSeen = sent - lags.length;
    const unexpectedCloses = agents.reduce((s, a) => s + a.unexpectedCloses, 0);
    // Hosts whose agent is connected and heartbeating, yet marked dead (the silence rule fired on a backlog).
    const dead = await db.select({ id: hosts.id }).from(hosts).where(eq(hosts.alive, false));
    const falselyDead = dead.filter((d) => byHost.get(d.id)?.state === 'up').length;
    if (unexpectedCloses) problems.push(`${unexpectedCloses} agents disconnected by the broker`);
    if (falselyDead) problems.push(`${falselyDead} live hosts marked dead`);
    if (sent === 0 || notSeen / sent > LIMITS.notSeenRatio) problems.push(`${notSeen} of ${sent} heartbeats never visible`);
    if (lags.length && pct(lags, 99) > LIMITS.lagP99Ms) problems.push(`p99 ingest lag ${fmt(pct(lags, 99))} ms > ${LIMITS.lagP99Ms} ms`);

    // Dead-host detection, one victim at a time while the rest of the fleet keeps heartbeating.
    const up = agents.filter((a) => a.state === 'up');
    const victims = Array.from({ length: Math.min(up.length, 2 * opts.trials) }, (_, i) => up[Math.floor((i * up.length) / (2 * opts.trials))]);
    const crash: (number | null | 'not alive')[] = [];
    const silent: (number | null | 'not alive')[] = [];
    for (const [i, v] of (exited ? [] : victims).entries()) {
      if (i % 2 === 0) crash.push(await timeToDead(db, v, (a) => a.crash()));
      else silent.push(await timeToDead(db, v, (a) => a.silence()));
      await sleep(300 + Math.random() * 500); // victims are hit at a random phase of their heartbeat
    }
    const ok = (xs: (number | null | 'not alive')[]) => xs.filter((x): x is number => typeof x === 'number');
    if (crash.includes('not alive') || silent.includes('not alive')) problems.push('a victim was already marked dead before it was hit');
    if (crash.includes(null) || silent.includes(null)) problems.push('a victim was never marked dead within 10 s');
    if (exited) problems.push(exited);

    return {
      agents: n, connected: agents.length, connectFailures: fleet.failures.length, droppedWhileConnecting: fleet.dropped, connectMs: Math.round(fleet.ms), registeredMs: Math.round(registeredMs),
      window: { ms: Math.round(w1 - w0), heartbeatsSent: sent, heartbeatsVisible: lags.length, notSeen, polls: watcher.polls, pollErrors: watcher.pollErrors },
      ingestLagMs: lags.length ? { p50: pct(lags, 50), p99: pct(lags, 99), max: pct(lags, 100) } : null,
      applyStampLagMs: watcher.stampLag.length ? { p50: pct(watcher.stampLag, 50), p99: pct(watcher.stampLag, 99) } : null,
      controlPlane: { cpuPctOfOneCore: cpuPct, rssMiB: rss, rssPeakMiB: Math.max(rssPeak, rss) },
      benchProcess: { cpuPctOfOneCore: benchCpuPct, eventLoopDelayP99Ms: loop.percentile(99) / 1e6 },
      otherProcessesCpuPctOfOneCore: Math.max(0, othersCpuPct),
      unexpectedCloses, falselyDead,
      crashDetectMs: { trials: crash.length, median: median(ok(crash)), max: ok(crash).length ? Math.max(...ok(crash)) : NaN, samples: crash },
      silentDetectMs: { trials: silent.length, median: median(ok(silent)), max: ok(silent).length ? Math.max(...ok(silent)) : NaN, samples: silent },
      healthy: problems.length === 0,
      problems,
    };
  } finally {
    stopping = true;
    // A berth that does not exit on SIGTERM (wedged under overload) must not hang the benchmark: SIGKILL it.
    if (!exited) {
      const stopped = await Promise.race([server.stop().then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) { server.proc.kill('SIGKILL'); problems.push('berth serve did not exit within 15 s of SIGTERM'); }
    }
    for (const a of agents) a.stop();
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

export async function benchFleet(opts: { quick: boolean }) {
  const windowMs = opts.quick ? 5000 : 10_000;
  const trials = opts.quick ? 5 : 10;
  const results: Awaited<ReturnType<typeof runLevel>>[] = [];
  for (let n = nextLevel([]); n !== null; n = opts.quick ? null : nextLevel(results)) {
    console.log(`fleet: ${n} simulated agents…`);
    const r = await runLevel(n, { windowMs, trials });
    results.push(r);
    console.log(r.healthy ? `fleet: ${n} ok` : `fleet: ${n} broke: ${r.problems.join('; ')}`);
  }
  results.sort((a, b) => a.agents - b.agents);
  const held = results.filter((r) => r.healthy).map((r) => r.agents);
  const broke = results.find((r) => !r.healthy && r.agents > Math.max(0, ...held));
  const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : fmt(x));
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
  printTable(
    `fleet: protocol-level simulated agents (real MQTT connections from one bench process, not agent processes), heartbeat 500 ms → berth serve (embedded aedes, libSQL file); window ${windowMs / 1000} s`,
    ['agents', 'ingest lag p50 / p99 / max ms', 'visible / sent', 'berth CPU % (1 core)', 'berth RSS MiB', 'crash → dead median / max ms', 'silent → dead median / max ms', 'bench CPU % / loop p99 ms', 'others CPU %', 'verdict'],
    results.map((r) => [
      r.connected === r.agents ? r.agents : `${r.connected}/${r.agents}`,
      r.ingestLagMs ? `${ms(r.ingestLagMs.p50)} / ${ms(r.ingestLagMs.p99)} / ${ms(r.ingestLagMs.max)}` : '-',
      `${r.window.heartbeatsVisible} / ${r.window.heartbeatsSent}`,
      num(r.controlPlane.cpuPctOfOneCore),
      num(r.controlPlane.rssMiB),
      // On a broken level the victims' fate says more about the overload than about detection.
      r.healthy ? `${ms(r.crashDetectMs.median)} / ${ms(r.crashDetectMs.max)}` : '-',
      r.healthy ? `${ms(r.silentDetectMs.median)} / ${ms(r.silentDetectMs.max)}` : '-',
      `${r.benchProcess.cpuPctOfOneCore.toFixed(0)} / ${r.benchProcess.eventLoopDelayP99Ms.toFixed(1)}`,
      num(r.otherProcessesCpuPctOfOneCore),
      r.healthy ? 'ok' : r.problems.join('; '),
    ]),
  );
  if (!opts.quick) console.log(broke ? `most held: ${Math.max(...held)} agents; broke at ${broke.agents}` : `held every level up to the cap of ${CAP} agents`);
  writeJson('fleet', {
    simulated: SIMULATED,
    method: {
      ingestLag: 'heartbeat publish (bench clock, just before the PUBLISH is written) → start of the first ~10 ms poll of the hosts table (read-only libSQL connection on the same file) that shows it or a newer heartbeat of the host; upper bound, resolution one poll',
      applyStampLag: "berth's last_heartbeat_at (its clock when it applied the batch, before the commit) − the heartbeat's `at`: a lower bound of the same lag",
      cpu: '/proc/<pid>/stat utime+stime delta over the window, % of one core', rss: '/proc/<pid>/status VmRSS at the end of the window (peak sampled every 500 ms)',
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
