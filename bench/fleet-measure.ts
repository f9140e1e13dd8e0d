// What the fleet benchmark measures with, apart from the level's flow (bench/fleet.ts): CPU and memory of processes
// from /proc, the watcher that times heartbeats becoming visible in the hosts table, and the crash/silence timer.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { drizzle } from 'drizzle-orm/libsql';
import { eq, gte } from 'drizzle-orm';
import { hosts } from '../functions/db/schema';
import { nowMs } from './fake-agents';
import type { AgentPool } from './agent-pool';
import { pct } from './lib';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Reader = ReturnType<typeof drizzle>;

// ---- /proc: CPU (utime+stime, all threads of the process) and resident memory ----
export const CLK_TCK = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100; } catch { return 100; } })();
/** NaN once the process is gone (berth can crash mid-run; the benchmark reports it instead of dying with it). */
export const procFile = (path: string): string => { try { return readFileSync(path, 'utf8'); } catch { return ''; } };
export function cpuSeconds(pid: number): number {
  const stat = procFile(`/proc/${pid}/stat`);
  if (!stat) return NaN;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state): utime = 14, stime = 15
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
/** CPU seconds every process on the machine has used (the first line of /proc/stat, idle and iowait excluded). */
export function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}
export const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(procFile(`/proc/${pid}/status`))?.[1] ?? NaN) / 1024;

/**
 * Watches the hosts table for heartbeats becoming visible. Method: a read-only libSQL connection of this process
 * on the same database file (WAL: readers never block berth's writer), polled every ~10 ms for the rows whose
 * last_heartbeat_at is at or above the newest one seen so far — berth commits ingest batches one after another, so
 * a newer commit never carries an older stamp, and a poll returns only the rows that changed. Asking berth through
 * GET /v1/hosts instead would spend the very CPU we measure, on the same event loop as the ingest. A heartbeat's
 * `load` field carries its seq, so a row says exactly which heartbeat it reflects; a heartbeat counts as visible
 * at the start of the first poll that shows it or a later one of its host (resolution: one poll interval).
 */
export class HeartbeatWatcher {
  /** Per host, per seq: when the heartbeat became visible, and berth's stamp on the row that showed it. */
  readonly visible = new Map<string, { at: number; stamp: number }[]>();
  private lastSeq = new Map<string, number>();
  private cutoff = 0;
  private running = false;
  private done: Promise<void> = Promise.resolve();
  polls = 0;
  pollErrors = 0;

  constructor(private readonly db: Reader) {}

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
      const seen = this.visible.get(r.id) ?? this.visible.set(r.id, []).get(r.id)!;
      for (let s = prev + 1; s <= r.seq; s++) seen[s] = { at: t, stamp: r.stamp };
    }
  }
}

/** Acts on one agent, then polls its row until alive=false; ms from the act (shard's clock) to the first poll that shows it. */
export async function timeToDead(db: Reader, pool: AgentPool, hostId: string, what: 'crash' | 'silence', timeoutMs = 10_000): Promise<number | null | 'not alive'> {
  const [before] = await db.select({ alive: hosts.alive }).from(hosts).where(eq(hosts.id, hostId));
  if (!before?.alive) return 'not alive'; // nothing to detect: an overloaded berth already thinks it is dead
  const t0 = await pool.act(hostId, what);
  if (t0 === null) return 'not alive';
  while (nowMs() - t0 < timeoutMs) {
    const t = nowMs();
    const [row] = await db.select({ alive: hosts.alive }).from(hosts).where(eq(hosts.id, hostId));
    if (row && !row.alive) return t - t0;
    await sleep(5);
  }
  return null;
}

export async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = nowMs() + timeoutMs;
  while (nowMs() < end) {
    if (await cond()) return true;
    await sleep(100);
  }
  return false;
}

export const median = (xs: number[]) => (xs.length ? pct(xs, 50) : NaN);

