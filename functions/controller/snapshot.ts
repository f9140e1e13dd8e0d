// Database rows → the plain-data snapshot the plan and the scheduler read (functions/controller/types.ts,
// functions/scheduler/types.ts). Read with the caller's handle: inside a write transaction when decisions are
// written from it (so no replica can over-fill a host between the read and the write), with database.db for a
// cheap look or for explain.
import { isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { containerGroups, containers, hostGroupMembers, hosts, portGroupMembers, ports } from '../db/schema';
import type { SchedGroup, SchedHost } from '../scheduler/types';
import type { StatusMessageCode } from '../../shared/protocol/messages';
import { isSilent } from './plan';
import type { ContainerStatus, PlanContainer, PlanHost, SchedulerState, Timers } from './types';

export type ContainerRow = typeof containers.$inferSelect;

export interface FleetSnapshot {
  hosts: PlanHost[];
  groups: Record<string, SchedGroup>;
  containers: PlanContainer[];
  /** The rows behind `containers`, by id (port, router: what an applier needs besides the plan's fields). */
  rows: Map<string, ContainerRow>;
}

const STATUSES = new Set<string>(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'ERROR']);
const SELF_FENCED: StatusMessageCode = 'SELF_FENCED';
const STATES = new Set<string>(['DOWN', 'SCHEDULED', 'RESCHEDULED', 'UP']);

export function planContainer(c: ContainerRow): PlanContainer {
  return {
    id: c.id,
    groupId: c.groupId,
    hostId: c.hostId,
    // Unknown strings (never written by berth) read as "nothing known", the safe side for the plan.
    schedulerState: (STATES.has(c.schedulerState) ? c.schedulerState : 'DOWN') as SchedulerState,
    status: (c.status !== null && STATUSES.has(c.status) ? c.status : null) as ContainerStatus | null,
    placementGeneration: c.placementGeneration,
    scheduledAt: c.scheduledAt,
    retries: c.retries,
    nextAttemptAt: c.nextAttemptAt,
    // setDown is the last write that touches a DOWN row (ingest ignores unplaced containers).
    attemptedAt: c.hostId === null ? c.updatedAt : null,
    selfFencedAt: (c.status === 'STOPPING' || c.status === 'STOPPED') && c.statusMessage.startsWith(SELF_FENCED) ? (c.reportedAt ?? c.updatedAt) : null,
  };
}

/** Every host, group and container, with counts and group occupancy covering all containers. */
export async function readFleetSnapshot(db: Db): Promise<FleetSnapshot> {
  const [hostRows, groupRows, containerRows, hgm, pgm, bound] = await Promise.all([
    db.select().from(hosts),
    db.select().from(containerGroups),
    db.select().from(containers),
    db.select().from(hostGroupMembers),
    db.select().from(portGroupMembers),
    db.select({ id: ports.id, hostId: ports.hostId }).from(ports).where(isNotNull(ports.hostId)),
  ]);
  const counts = new Map<string, number>();
  const placed = new Map<string, Record<string, string | null>>();
  for (const c of containerRows) {
    if (c.hostId !== null) counts.set(c.hostId, (counts.get(c.hostId) ?? 0) + 1);
    const g = placed.get(c.groupId) ?? placed.set(c.groupId, {}).get(c.groupId)!;
    g[c.id] = c.hostId;
  }
  const hostGroupHosts = new Map<string, string[]>();
  for (const m of hgm) (hostGroupHosts.get(m.groupId) ?? hostGroupHosts.set(m.groupId, []).get(m.groupId)!).push(m.hostId);
  const portHost = new Map(bound.map((p) => [p.id, p.hostId!]));
  const portGroupHosts = new Map<string, Set<string>>();
  for (const m of pgm) {
    const set = portGroupHosts.get(m.groupId) ?? portGroupHosts.set(m.groupId, new Set()).get(m.groupId)!;
    const h = portHost.get(m.portId);
    if (h !== undefined) set.add(h);
  }

  const planHosts: PlanHost[] = hostRows.map((h) => ({
    id: h.id, alive: h.alive, containerWeight: h.containerWeight, containerLimit: h.containerLimit,
    enforceContainerLimit: h.enforceContainerLimit, cordoned: h.cordoned, badUntil: h.badUntil,
    containerCount: counts.get(h.id) ?? 0, lastSeenAt: h.lastSeenAt, bootId: h.bootId,
  }));
  const groups: Record<string, SchedGroup> = {};
  for (const g of groupRows) {
    groups[g.id] = {
      id: g.id,
      policy: g.policy === 'weighted' ? 'weighted' : 'least',
      // A group naming a host group that has no members (or was deleted) fits nowhere, not anywhere.
      hostGroupHostIds: g.hostGroupId === null ? null : (hostGroupHosts.get(g.hostGroupId) ?? []),
      portGroupHostIds: g.portGroupId === null ? null : [...(portGroupHosts.get(g.portGroupId) ?? [])],
      antiAffinity: g.antiAffinity,
      containerHosts: placed.get(g.id) ?? {},
    };
  }
  return { hosts: planHosts, groups, containers: containerRows.map(planContainer), rows: new Map(containerRows.map((c) => [c.id, c])) };
}

/**
 * The scheduler's view of the hosts outside the plan (operator migration, explain): alive means reported alive
 * AND heard from within hostDeadAfter — the same rule the plan uses for new placements.
 */
export function schedHosts(planHosts: readonly PlanHost[], now: number, t: Pick<Timers, 'hostDeadAfter'>): SchedHost[] {
  return planHosts.map((h) => ({
    id: h.id, alive: h.alive && !isSilent(h, now, t as Timers), containerWeight: h.containerWeight, containerLimit: h.containerLimit,
    enforceContainerLimit: h.enforceContainerLimit, cordoned: h.cordoned, badUntil: h.badUntil, containerCount: h.containerCount,
  }));
}
