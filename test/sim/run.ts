// One seeded simulation run: build the world on fake timers, run a warm-up, a chaos phase (seeded faults and API
// writes, safety invariants after every step), heal everything, then require convergence within a bound.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FakeTimers from '@sinonjs/fake-timers';
import { openNodeDatabase } from '../../functions/node/database';
import { applyMigrations } from '../../functions/node/migrate';
import type { Ids } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { SimApi } from './api';
import { syncDigest } from './crypto';
import { DEFAULT_FAULTS, FaultScheduler, Weather, type FaultKind, type ScriptedFault } from './faults';
import { INVARIANTS, notConverged, SafetyChecker } from './invariants';
import { seededRng, type Rng } from './rng';
import { World, type Violation } from './world';

export interface SimOptions {
  seed: number;
  hosts?: number;
  /** VPNs created during the warm-up. */
  vpns?: number;
  warmupMs?: number;
  /** How long faults are injected. */
  chaosMs?: number;
  /** After the last fault: everything must have converged within this bound. */
  convergeBoundMs?: number;
  stepMs?: number;
  /** Chance per step of a new fault, and of an API write. */
  faultRate?: number;
  apiRate?: number;
  faults?: readonly FaultKind[];
  /** A fixed fault schedule (ms into the chaos phase) instead of seeded faults: a regression case. */
  script?: readonly ScriptedFault[];
  /** Print every log line of the control plane and the agents, stamped with simulated time (replaying a seed). */
  log?: boolean;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  violations: Violation[];
  injected: Partial<Record<FaultKind, number>>;
  /** Sim ms from the heal to convergence (null: did not converge). */
  convergedAfterMs: number | null;
  /** sha256 of everything the broker carried and the schedule: equal for equal seeds (determinism). */
  trace: string;
  history: string[];
  apiWrites: number;
}

const START = 1_700_000_000_000;

/**
 * Where a seed's database files live: a RAM file system when there is room (a seed commits ~120 write
 * transactions, takes backups with VACUUM INTO and syncs at checkpoints; on tmpfs all of that is memory copies),
 * else the OS temp dir. Nothing in a run depends on which.
 */
function scratchRoot(): string {
  try {
    const s = statfsSync('/dev/shm');
    if (s.bavail * s.bsize > 256 * 2 ** 20) return '/dev/shm';
  } catch { /* no /dev/shm */ }
  return tmpdir();
}
const SCRATCH = scratchRoot();

/**
 * A fault step is awaited while the simulated clock stands still: if it waits on a simulated timer it never ends
 * (seed 1157 did: a write meeting injected BUSY waited on its backoff), and with no real timer pending node would
 * exit mid-run. A real-time watchdog turns that into a failure that names the step.
 */
async function unlessHung<T>(p: Promise<T>, what: string): Promise<T> {
  let watchdog: FakeTimers.TimerId | undefined;
  const hung = new Promise<never>((_, reject) => {
    watchdog = FakeTimers.timers.setTimeout(() => reject(new Error(`hung: ${what} waited 20 s of real time on a simulated timer`)), 20_000);
  });
  try {
    return await Promise.race([p, hung]);
  } finally {
    FakeTimers.timers.clearTimeout(watchdog);
  }
}

/** Log lines as JSON on stderr, `t` = simulated ms since the start (Date is faked while a seed runs). */
function simTimeLogger(): Logger {
  const line = (level: string) => (o: Record<string, unknown>, msg?: string) =>
    process.stderr.write(`${JSON.stringify({ t: Date.now() - START, level, msg, ...o })}\n`);
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

let template: string | null = null;

/**
 * Scratch dirs of simulation processes that are gone: a process killed from outside (vitest ends its workers so)
 * never runs its exit hook, and on tmpfs what it left would hold memory until reboot. Dirs are named by pid.
 */
function sweepAbandoned(): void {
  for (const name of readdirSync(SCRATCH)) {
    const pid = Number(/^berth-sim-(?:template-)?p(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(SCRATCH, name), { recursive: true, force: true });
    }
  }
}

/** The migrated empty database, made once per process (real timers: before the fake ones go in). */
export async function templateDatabase(): Promise<string> {
  if (template) return template;
  sweepAbandoned();
  const dir = mkdtempSync(join(SCRATCH, `berth-sim-template-p${process.pid}-`));
  const path = join(dir, 'template.db');
  const db = await openNodeDatabase({ url: `file:${path}` });
  await applyMigrations(db);
  // Left in WAL mode (the header says so, the closed WAL is empty): a copy opens as WAL at once, where switching
  // each copy from rollback-journal mode took ~15 ms (an exclusive lock and a sync) per database a seed opened.
  await db.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  template = path;
  return path;
}

const seededIds = (rng: Rng): Ids => ({
  uuid: () => rng.uuid(),
  mac: () => `fa:16:3e:${[0, 0, 0].map(() => rng.int(0, 255).toString(16).padStart(2, '0')).join(':')}`,
  token: () => rng.uuid().replaceAll('-', ''),
});

export async function runSeed(o: SimOptions): Promise<SimResult> {
  const tpl = await templateDatabase();
  const rng = seededRng(o.seed);
  const entropy = seededRng(o.seed ^ 0x5eed);
  const dir = mkdtempSync(join(SCRATCH, `berth-sim-p${process.pid}-`));
  const clock = FakeTimers.install({ now: START, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], loopLimit: 1_000_000 });
  // Everything random in the process comes from the seed too (agent boot ids, container incarnations, jitter).
  const realRandom = Math.random;
  Math.random = () => entropy.next();
  Object.defineProperty(globalThis.crypto, 'randomUUID', { value: () => entropy.uuid(), configurable: true, writable: true });
  const restoreDigest = syncDigest();
  const crashes: string[] = [];
  const onRejection = (e: unknown) => crashes.push(String((e as Error)?.stack ?? e));
  process.on('unhandledRejection', onRejection);

  const weather = new Weather(rng);
  const world = new World(dir, rng, weather.hooks(), seededIds(rng), o.log ? simTimeLogger() : undefined);
  const faults = new FaultScheduler(world, weather, o.faults ?? DEFAULT_FAULTS, rng, (t) => clock.setSystemTime(t));
  const api = new SimApi(world);
  const safety = new SafetyChecker(world, api);
  const stepMs = o.stepMs ?? 100;
  let apiWrites = 0;
  let convergedAfterMs: number | null = null;
  const step = async () => {
    await clock.tickAsync(stepMs);
    await unlessHung(faults.due(Date.now()), 'healing a fault');
    await safety.check(world.dbFiles);
    for (const c of crashes.splice(0)) world.violate('no crash', c.slice(0, 500));
  };
  // API writes run beside the clock (a request may wait on a timer: a BUSY retry's backoff), one at a time.
  let writes: Promise<void> = Promise.resolve();
  let writesPending = 0;
  const apiWrite = (delete_: boolean) => {
    apiWrites++;
    writesPending++;
    writes = writes.then(async () => {
      if (delete_ && api.vpns.length > 0) await api.deleteVpn(rng.pick(api.vpns));
      else await api.addVpn();
    }).finally(() => { writesPending--; });
  };

  try {
    await world.start(tpl, Array.from({ length: o.hosts ?? 3 }, (_, i) => `host${i}`));
    for (let i = 0; i < (o.vpns ?? 2); i++) apiWrite(false);
    for (let t = 0; t < (o.warmupMs ?? 2000); t += stepMs) await step();
    for (let t = 0; t < (o.chaosMs ?? 6000); t += stepMs) {
      if (o.script) for (const f of o.script.filter((f) => f.atMs >= t && f.atMs < t + stepMs)) await unlessHung(faults.inject(Date.now(), f), 'injecting a fault');
      else if (rng.chance(o.faultRate ?? 0.06)) await unlessHung(faults.inject(Date.now()), 'injecting a fault');
      if (rng.chance(o.apiRate ?? 0.03)) apiWrite(rng.chance(0.4));
      await step();
    }
    while (writesPending > 0) await step();
    await faults.healAll(Date.now());
    const healedAt = Date.now();
    const bound = o.convergeBoundMs ?? 30_000;
    let last: string[] = [];
    for (let n = 1; Date.now() - healedAt <= bound; n++) {
      await step();
      if (n % 3 !== 0) continue; // the (costlier) convergence look every 300 ms
      last = await notConverged(world);
      if (last.length === 0) {
        convergedAfterMs = Date.now() - healedAt;
        break;
      }
    }
    if (convergedAfterMs === null) world.violate(INVARIANTS[2], `${bound} ms after the last fault: ${last.slice(0, 6).join('; ')}`);
    await world.stop();
  } catch (e) {
    world.violate('no crash', String((e as Error)?.stack ?? e).slice(0, 800));
  } finally {
    clock.uninstall();
    Math.random = realRandom;
    delete (globalThis.crypto as { randomUUID?: unknown }).randomUUID;
    restoreDigest();
    process.off('unhandledRejection', onRejection);
    try { world.closeDatabase(); } catch { /* already closed */ }
    rmSync(dir, { recursive: true, force: true });
  }
  const hash = createHash('sha256');
  for (const m of world.broker.log) hash.update(`${m.topic}\n${m.payload}\n`);
  for (const h of faults.history) hash.update(`${h}\n`);
  return {
    seed: o.seed, ok: world.violations.length === 0, violations: world.violations, injected: faults.injected,
    convergedAfterMs, trace: hash.digest('hex'), history: faults.history, apiWrites,
  };
}

/** A failure as the operator sees it: the seed (to replay), what broke, and the fault schedule. */
export function describeFailure(r: SimResult): string {
  return [
    `simulation seed ${r.seed} FAILED — replay: npm run sim -- --seed ${r.seed}`,
    ...r.violations.slice(0, 10).map((v) => `  [${v.at - START} ms] ${v.invariant}: ${v.detail}`),
    '  schedule:',
    ...r.history.map((h) => `    ${h}`),
  ].join('\n');
}
