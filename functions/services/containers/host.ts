// Operator placement of one container, each in one write transaction over a fresh fleet snapshot (so it never
// over-fills a host another writer just filled): migrate to a named host (hard filters only — the operator's
// choice overrides the soft limit's preference), clear the host (automatic scheduling at once), and explain
// (per host: eligible, or the first filter's constant reason).
import { eq } from 'drizzle-orm';
import { conflict, notFound } from '../../../shared/errors';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { hosts } from '../../db/schema';
import { recordEvent, setPlacement, type ContainerEvent } from '../../controller/apply';
import { publishEvents } from '../events/publish';
import { readFleetSnapshot, schedHosts, type ContainerRow, type FleetSnapshot } from '../../controller/snapshot';
import { timersFor, type Timers } from '../../controller/types';
import { FILTERS } from '../../scheduler/filters';
import { schedule, schedulePass } from '../../scheduler/schedule';
import { ELIGIBLE, type Decision, type SchedContainer } from '../../scheduler/types';
import { getContainerRow } from './read';
import { containerView } from './view';

const HARD = FILTERS.filter((f) => f.kind === 'hard');

const schedContainer = (c: ContainerRow): SchedContainer => ({ id: c.id, groupId: c.groupId, hostId: c.hostId, placementGeneration: c.placementGeneration });

/** One decision for the container as if placed afresh (it leaves its current host: that host's count drops). */
function decideFresh(c: ContainerRow, snap: FleetSnapshot, now: number, seed: string, timers: Timers): Decision {
  const hostsNow = schedHosts(snap.hosts, now, timers);
  return schedulePass([schedContainer(c)], { now, hosts: hostsNow, groups: snap.groups, seed }, { explain: true }).decisions[0];
}

const detailOf = (d: Decision) => ({ policy: d.policy, seed: d.seed, summary: d.summary, reasons: d.reasons });

type PlacementDeps = Pick<Deps, 'database' | 'clock' | 'publisher'> & { config?: Deps['config'] };

/** Runs one placement write that records at most one event, and publishes that event once it has committed. */
async function withEvent<T>(deps: PlacementDeps, write: (tx: Db, record: (e: ContainerEvent) => Promise<void>) => Promise<T>): Promise<T> {
  let event: ContainerEvent | null = null;
  const out = await deps.database.write((tx) => {
    event = null; // the write may run again after SQLITE_BUSY
    return write(tx, (e) => { event = e; return recordEvent(tx, e); });
  });
  if (event) await publishEvents(deps, [event]);
  return out;
}

export async function migrateContainer(deps: PlacementDeps, id: string, hostId: string) {
  return withEvent(deps, async (tx, record) => {
    const row = await getContainerRow(tx, id);
    const [host] = await tx.select({ id: hosts.id }).from(hosts).where(eq(hosts.id, hostId)).limit(1);
    if (!host) throw notFound(`host ${hostId} not found`);
    if (row.hostId === hostId) return containerView(row);
    const now = deps.clock.now();
    const snap = await readFleetSnapshot(tx);
    const group = snap.groups[row.groupId];
    const d = schedule(schedContainer(row), group, { now, hosts: schedHosts(snap.hosts, now, timersFor(deps.config)) }, { filters: HARD, explain: true });
    const reason = d.reasons[hostId] ?? ELIGIBLE;
    if (reason !== ELIGIBLE) throw conflict(`host ${hostId} cannot take container ${id}: ${reason}`);
    const change = { to: hostId, schedulerState: row.hostId ? 'RESCHEDULED' as const : 'SCHEDULED' as const, placementGeneration: row.placementGeneration + 1 };
    if (!(await setPlacement(tx, row, change, now))) throw conflict(`container ${id} was moved meanwhile; try again`);
    await record({
      containerId: id, type: 'migrated', hostId, at: now,
      reason: row.hostId ? `moved from ${row.hostId} to ${hostId} by an operator` : `placed on ${hostId} by an operator`,
      detail: { ...detailOf(d), from: row.hostId },
    });
    return containerView(await getContainerRow(tx, id));
  });
}

export async function clearContainerHost(deps: PlacementDeps, id: string) {
  return withEvent(deps, async (tx, record) => {
    const row = await getContainerRow(tx, id);
    const now = deps.clock.now();
    const d = decideFresh(row, await readFleetSnapshot(tx), now, `api:${now}`, timersFor(deps.config));
    const eligible = d.summary[ELIGIBLE] ?? 0;
    const detail = { ...detailOf(d), from: row.hostId };
    if (d.hostId !== null && d.hostId === row.hostId) {
      await record({ containerId: id, type: 'host-cleared', hostId: d.hostId, at: now, reason: `automatic scheduling kept it on ${d.hostId} (policy ${d.policy})`, detail });
      return containerView(row);
    }
    const nextGen = row.hostId === null ? row.placementGeneration : row.placementGeneration + 1;
    if (d.hostId !== null) {
      const state = row.hostId ? 'RESCHEDULED' as const : 'SCHEDULED' as const;
      if (!(await setPlacement(tx, row, { to: d.hostId, schedulerState: state, placementGeneration: row.placementGeneration + 1 }, now))) {
        throw conflict(`container ${id} was moved meanwhile; try again`);
      }
      await record({
        containerId: id, type: row.hostId ? 'rescheduled' : 'scheduled', hostId: d.hostId, at: now, detail,
        reason: `host cleared by an operator: placed on ${d.hostId} by policy ${d.policy} (${eligible} eligible)`,
      });
    } else {
      // Nowhere to go: DOWN with no retries spent, so the controller tries again at once and then backs off.
      if (!(await setPlacement(tx, row, { to: null, schedulerState: 'DOWN', placementGeneration: nextGen, retries: 0, nextAttemptAt: null }, now))) {
        throw conflict(`container ${id} was moved meanwhile; try again`);
      }
      await record({ containerId: id, type: 'down', hostId: row.hostId, at: now, detail, reason: 'host cleared by an operator: no eligible host' });
    }
    return containerView(await getContainerRow(tx, id));
  });
}

export async function explainContainer(deps: Pick<Deps, 'database' | 'clock'> & { config?: Deps['config'] }, db: Db, id: string) {
  const row = await getContainerRow(db, id);
  const d = decideFresh(row, await readFleetSnapshot(db), deps.clock.now(), 'explain', timersFor(deps.config));
  const hostIds = Object.keys(d.reasons).sort();
  return {
    containerId: id,
    hosts: hostIds.map((hostId) => ({ hostId, eligible: d.reasons[hostId] === ELIGIBLE, reason: d.reasons[hostId] })),
  };
}
