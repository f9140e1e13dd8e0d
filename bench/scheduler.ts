// Placements per second (issues 4 and 12): 1,000 hosts and 10,000 unplaced containers on the embedded (libSQL file)
// database, placed by the leader's real tick (snapshot read, plan with the scheduler, every decision's writes and
// event in ONE fenced transaction) — for each policy; and, as the baseline in the same run, the pure schedulePass
// over the same snapshot without the database. The ratio says what the database costs. As in a real fleet each
// container has its router and its service port: a placement binds the port (ports.host_id) and marks the host
// dirty (outbox), so the 10,000-row write path is measured, and the benchmark checks every port was bound.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeDatabase } from '../functions/node/database';
import { applyMigrations } from '../functions/node/migrate';
import { containerGroups, containers, dirtyHosts, hosts, ports, routers } from '../functions/db/schema';
import { count, countDistinct, isNull } from 'drizzle-orm';
import { nullPublisher } from '../functions/deps';
import { Controller } from '../functions/controller/tick';
import { readFleetSnapshot, schedHosts } from '../functions/controller/snapshot';
import { DEFAULT_TIMERS } from '../functions/controller/types';
import { schedulePass } from '../functions/scheduler/schedule';
import type { Policy } from '../functions/scheduler/types';
import { silentLogger } from '../shared/logger';
import { printTable, writeJson } from './lib';

const chunks = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

interface Run { policy: Policy; placed: number; dbMs: number; dbPerSec: number; pureMs: number; purePerSec: number; ratio: number }

async function one(policy: Policy, hostCount: number, containerCount: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-sched-'));
  const database = await openNodeDatabase({ url: `file:${join(dir, 'berth.db')}` });
  try {
    await applyMigrations(database);
    const now = Date.now();
    // Heard from "now" for the whole run; weights 1..4 so weighted has something to weigh.
    const hostRows = Array.from({ length: hostCount }, (_, i) => ({
      id: `host${String(i).padStart(4, '0')}`, name: `host${i}`, alive: true, lastSeenAt: now + 3_600_000, containerWeight: 1 + (i % 4), createdAt: now, updatedAt: now,
    }));
    const ids = Array.from({ length: containerCount }, (_, i) => `c${String(i).padStart(5, '0')}`);
    await database.write(async (tx) => {
      for (const c of chunks(hostRows, 500)) await tx.insert(hosts).values(c);
      for (const c of chunks(ids, 500)) await tx.insert(routers).values(c.map((id) => ({ id: `r-${id}`, tenantId: 'bench', name: id, createdAt: now, updatedAt: now })));
      for (const c of chunks(ids, 500)) {
        await tx.insert(ports).values(c.map((id, i) => ({
          id: `p-${id}`, tenantId: 'bench', routerId: `r-${id}`, kind: 'service', address: `169.254.${i % 250}.${1 + 4 * (i % 60)}`, prefixLen: 30,
          mac: 'fa:16:3e:00:00:01', interfaceName: `vpn-${id}`, serviceContainerId: id, createdAt: now,
        })));
      }
      for (const c of chunks(ids, 500)) await tx.insert(containerGroups).values(c.map((id) => ({ id: `g-${id}`, policy, routerId: `r-${id}`, createdAt: now })));
      for (const c of chunks(ids, 500)) {
        await tx.insert(containers).values(c.map((id) => ({ id, groupId: `g-${id}`, portId: `p-${id}`, serviceType: 'IPSEC', configurationId: `r-${id}`, createdAt: now, updatedAt: now })));
      }
    });

    // Baseline: the same decisions, pure (snapshot read once beforehand, not timed).
    const snap = await readFleetSnapshot(database.db);
    const todo = snap.containers.map((c) => ({ id: c.id, groupId: c.groupId, hostId: c.hostId, placementGeneration: c.placementGeneration }));
    const t0 = performance.now();
    const pass = schedulePass(todo, { now, hosts: schedHosts(snap.hosts, now, DEFAULT_TIMERS), groups: snap.groups, seed: '1' }, { explain: false });
    const pureMs = performance.now() - t0;
    if (pass.decisions.some((d) => d.hostId === null)) throw new Error('baseline left a container unplaced');

    // The real thing: one leader tick places everything (explain off, as for big fleets).
    const controller = new Controller({ database, clock: { now: () => Date.now() }, logger: silentLogger, publisher: nullPublisher }, { holder: 'bench', explain: false, leaseTtlMs: 600_000 });
    const t1 = performance.now();
    const r = await controller.tick();
    const dbMs = performance.now() - t1;
    const placed = r.applied.filter((a) => a.type === 'place').length;
    if (placed !== containerCount) throw new Error(`placed ${placed} of ${containerCount}`);
    const [unbound] = await database.db.select({ n: count() }).from(ports).where(isNull(ports.hostId));
    if (unbound.n !== 0) throw new Error(`${unbound.n} service ports left unbound after the placements`);
    const [dirty] = await database.db.select({ n: count() }).from(dirtyHosts);
    const [used] = await database.db.select({ n: countDistinct(containers.hostId) }).from(containers);
    if (dirty.n !== used.n) throw new Error(`${dirty.n} hosts marked dirty, but ${used.n} hosts received containers`);
    const dbPerSec = placed / (dbMs / 1000);
    const purePerSec = containerCount / (pureMs / 1000);
    return { policy, placed, dbMs, dbPerSec, pureMs, purePerSec, ratio: dbPerSec / purePerSec };
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchScheduler(opts: { quick?: boolean } = {}) {
  const hostCount = 1000;
  const containerCount = opts.quick ? 2000 : 10_000;
  const runs: Run[] = [];
  // The 1-minute load average before and after: figures from a busy machine are not the code's.
  const load = [loadavg()[0]];
  for (const policy of ['least', 'weighted'] as Policy[]) runs.push(await one(policy, hostCount, containerCount));
  load.push(loadavg()[0]);
  printTable(`placements: ${hostCount} hosts, ${containerCount} containers, with their service ports bound and hosts marked dirty, one leader tick on the embedded database (target ≥ 5,000/s; load ${load.map((l) => l.toFixed(2)).join(' → ')})`,
    ['policy', 'placed', 'tick ms (DB)', 'placements/s (DB)', 'pure ms', 'placements/s (pure)', 'DB / pure'],
    runs.map((r) => [r.policy, r.placed, r.dbMs.toFixed(0), r.dbPerSec.toFixed(0), r.pureMs.toFixed(0), r.purePerSec.toFixed(0), r.ratio.toFixed(3)]));
  writeJson('scheduler', { hosts: hostCount, containers: containerCount, portsBound: containerCount, quick: !!opts.quick, targetPerSec: 5000, loadAverage: load, runs });
  return runs;
}
