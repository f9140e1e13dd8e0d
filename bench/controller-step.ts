// Where the controller's steady-state step goes at fleet scale (issue 12): H hosts heard just now, C containers
// RUNNING on them, nothing to do — the step every replica's leader repeats every 250 ms. CPU ms per step
// (process.cpuUsage), split into its stages: the read (one statement, JSON text), the parse, the fingerprint,
// the plan; then the whole step (controllerStep) as berth serve runs it.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeDatabase } from '../functions/node/database';
import { applyMigrations } from '../functions/node/migrate';
import { containerGroups, containers, hosts, ports, routers } from '../functions/db/schema';
import { nullPublisher } from '../functions/deps';
import { controllerStep } from '../functions/controller/tick';
import { FleetParser, parseFleet, readFleetText } from '../functions/controller/snapshot';
import { fingerprintHash, fleetFingerprint } from '../functions/controller/fleet';
import { plan } from '../functions/controller/plan';
import { DEFAULT_TIMERS } from '../functions/controller/types';
import { silentLogger } from '../shared/logger';
import { printTable, writeJson } from './lib';

const chunks = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function perStep(fn: () => unknown, n: number): Promise<number> {
  await fn();
  const t0 = cpuMs();
  for (let i = 0; i < n; i++) await fn();
  return (cpuMs() - t0) / n;
}

async function level(hostCount: number, containerCount: number, steps: number) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-step-'));
  const database = await openNodeDatabase({ url: `file:${join(dir, 'berth.db')}` });
  try {
    await applyMigrations(database);
    const now = Date.now();
    const far = now + 3_600_000; // heard "now" for the whole run: no host goes silent
    const hostIds = Array.from({ length: hostCount }, (_, i) => `host${String(i).padStart(5, '0')}`);
    const ids = Array.from({ length: containerCount }, (_, i) => `c${String(i).padStart(5, '0')}`);
    await database.write(async (tx) => {
      for (const c of chunks(hostIds, 500)) await tx.insert(hosts).values(c.map((id) => ({ id, name: id, alive: true, lastSeenAt: far, bootId: 'b', createdAt: now, updatedAt: now })));
      for (const c of chunks(ids, 500)) await tx.insert(routers).values(c.map((id) => ({ id: `r-${id}`, tenantId: 'bench', name: id, createdAt: now, updatedAt: now })));
      for (const c of chunks(ids, 500)) {
        await tx.insert(ports).values(c.map((id, i) => ({
          id: `p-${id}`, tenantId: 'bench', routerId: `r-${id}`, kind: 'service', address: `169.254.${i % 250}.${1 + 4 * (i % 60)}`, prefixLen: 30,
          mac: 'fa:16:3e:00:00:01', interfaceName: `vpn-${id}`, serviceContainerId: id, hostId: hostIds[(ids.indexOf(c[0]) + i) % hostCount], createdAt: now,
        })));
      }
      for (const c of chunks(ids, 500)) await tx.insert(containerGroups).values(c.map((id) => ({ id: `g-${id}`, policy: 'least', routerId: `r-${id}`, createdAt: now })));
      for (const c of chunks(ids, 500)) {
        await tx.insert(containers).values(c.map((id, i) => ({
          id, groupId: `g-${id}`, portId: `p-${id}`, serviceType: 'IPSEC', configurationId: `r-${id}`, hostId: hostIds[(ids.indexOf(c[0]) + i) % hostCount],
          placementGeneration: 1, schedulerState: 'UP' as const, status: 'RUNNING' as const, scheduledAt: now, reportedAt: now, createdAt: now, updatedAt: now,
        })));
      }
    });
    const deps = { database, clock: { now: () => Date.now() }, logger: silentLogger, publisher: nullPublisher };
    // With the parse memo a long-running replica's Controller keeps (berth serve).
    const opts = { holder: 'bench', explain: false, leaseTtlMs: 600_000, parser: new FleetParser() };
    await controllerStep(deps, opts); // take the lease, remember the fingerprint
    const text = await readFleetText(database.db);
    const snap = parseFleet(text);
    const t = DEFAULT_TIMERS;
    const read = await perStep(() => readFleetText(database.db), steps);
    const parse = await perStep(() => parseFleet(text), steps);
    const fingerprint = await perStep(() => fingerprintHash(fleetFingerprint(snap.hosts, snap.groups, Date.now(), t)), steps);
    const planMs = await perStep(() => plan({ ...snap, leaderSince: 0, fleetChangedAt: null, seed: '1', explain: false }, Date.now(), t), steps);
    const whole = await perStep(() => controllerStep(deps, opts), steps);
    return { hosts: hostCount, containers: containerCount, read, parse, fingerprint, plan: planMs, step: whole, corePct: (whole / 250) * 100 };
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchControllerStep(opts: { quick?: boolean } = {}) {
  const load = [loadavg()[0]];
  const levels: [number, number][] = opts.quick ? [[2500, 0], [2500, 1000]] : [[2500, 0], [2500, 1000], [10_000, 0], [10_000, 4000]];
  const rows = [];
  for (const [h, c] of levels) rows.push(await level(h, c, opts.quick ? 20 : 40));
  load.push(loadavg()[0]);
  printTable(`controller step at rest, CPU ms per step (load average ${load.map((x) => x.toFixed(1)).join(' → ')})`,
    ['hosts', 'containers', 'read', 'parse', 'fingerprint', 'plan', 'whole step', '% of a core at 250 ms'],
    rows.map((r) => [r.hosts, r.containers, r.read.toFixed(2), r.parse.toFixed(2), r.fingerprint.toFixed(2), r.plan.toFixed(2), r.step.toFixed(2), r.corePct.toFixed(1)]));
  writeJson('controller-step', { load, rows });
  return rows;
}
