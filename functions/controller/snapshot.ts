// Database rows → the plain-data snapshot the plan and the scheduler read (functions/controller/types.ts,
// functions/scheduler/types.ts). Read with the caller's handle: inside a write transaction when decisions are
// written from it (so no replica can over-fill a host between the read and the write), with database.db for a
// cheap look or for explain. One statement reads everything as JSON text (one consistent read, ~15 ms for
// 10,000 containers where drizzle's row objects took ~500 ms); the text also tells whether two reads are equal.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { containers } from '../db/schema';
import type { SchedGroup, SchedHost } from '../scheduler/types';
import type { StatusMessageCode } from '../../shared/protocol/messages';
import { isSilent } from './plan';
import type { ContainerStatus, PlanContainer, PlanHost, SchedulerState, Timers } from './types';

export type ContainerRow = typeof containers.$inferSelect;

/** The container columns the snapshot reads: the plan's and what appliers need (port, router). A full row is one. */
export type SnapshotRow = Pick<ContainerRow,
  'id' | 'groupId' | 'portId' | 'configurationId' | 'hostId' | 'placementGeneration' | 'schedulerState' | 'status'
  | 'statusMessage' | 'reportedAt' | 'scheduledAt' | 'retries' | 'nextAttemptAt' | 'updatedAt'>;

export interface FleetSnapshot {
  hosts: PlanHost[];
  groups: Record<string, SchedGroup>;
  containers: PlanContainer[];
  /** The rows behind `containers`, by id (port, router: what an applier needs besides the plan's fields). */
  rows: Map<string, SnapshotRow>;
}

/** The snapshot as read: one JSON array per table. Equal text means an equal snapshot (fleetText). */
export interface FleetText {
  hosts: string;
  groups: string;
  containers: string;
  hostGroupMembers: string;
  /** Distinct [port group, host] pairs: the hosts its members' ports are bound to. */
  portGroupHosts: string;
}

const STATUSES = new Set<string>(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'ERROR']);
const SELF_FENCED: StatusMessageCode = 'SELF_FENCED';
const STATES = new Set<string>(['DOWN', 'SCHEDULED', 'RESCHEDULED', 'UP']);

type PlanRow = Pick<SnapshotRow, 'id' | 'groupId' | 'hostId' | 'schedulerState' | 'status' | 'placementGeneration' | 'scheduledAt'
  | 'retries' | 'nextAttemptAt' | 'updatedAt' | 'statusMessage' | 'reportedAt'>;

export function planContainer(c: PlanRow): PlanContainer {
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

// Column order of each JSON array below; parseFleet destructures in the same order.
const FLEET_SQL = sql`SELECT
  (SELECT json_group_array(json_array(id, alive, container_weight, container_limit, enforce_container_limit, cordoned,
    bad_until, last_seen_at, boot_id)) FROM hosts) AS "hosts",
  (SELECT json_group_array(json_array(id, policy, host_group_id, port_group_id, anti_affinity)) FROM container_groups) AS "groups",
  (SELECT json_group_array(json_array(id, group_id, port_id, configuration_id, host_id, placement_generation, scheduler_state,
    status, status_message, reported_at, scheduled_at, retries, next_attempt_at, updated_at)) FROM containers) AS "containers",
  (SELECT json_group_array(json_array(group_id, host_id)) FROM host_group_members) AS "hostGroupMembers",
  (SELECT json_group_array(json_array(group_id, host_id)) FROM (SELECT DISTINCT m.group_id, p.host_id
    FROM port_group_members m JOIN ports p ON p.id = m.port_id WHERE p.host_id IS NOT NULL)) AS "portGroupHosts"`;

/** Everything the snapshot is built from, as text, in ONE statement (one consistent read, even outside a transaction). */
export async function readFleetText(db: Db): Promise<FleetText> {
  return fleetText(await fleetStep(db));
}

/** readFleetText's statement, not yet run (a step of a batch, functions/db/batch.ts); fleetText reads its row. */
export const fleetStep = (db: Db) => db.get<FleetText>(FLEET_SQL);

export const fleetText = (r: FleetText): FleetText =>
  ({ hosts: r.hosts, groups: r.groups, containers: r.containers, hostGroupMembers: r.hostGroupMembers, portGroupHosts: r.portGroupHosts });

/** Two reads saw the same rows (every column the snapshot is built from). */
export const sameFleetText = (a: FleetText, b: FleetText) =>
  a.containers === b.containers && a.hosts === b.hosts && a.groups === b.groups && a.hostGroupMembers === b.hostGroupMembers && a.portGroupHosts === b.portGroupHosts;

type Json = string | number | null;
const bool = (v: Json) => v === 1;

/** What a snapshot takes from every table but hosts: it changes only when containers, groups or memberships do. */
interface ContainerSide {
  /** Containers placed per host. */
  counts: Map<string, number>;
  groups: Record<string, SchedGroup>;
  containers: PlanContainer[];
  rows: Map<string, SnapshotRow>;
}

function parseContainerSide(text: Omit<FleetText, 'hosts'>): ContainerSide {
  const counts = new Map<string, number>();
  const placed = new Map<string, Record<string, string | null>>();
  const rows = new Map<string, SnapshotRow>();
  const planContainers: PlanContainer[] = [];
  for (const r of JSON.parse(text.containers) as Json[][]) {
    const [id, groupId, portId, configurationId, hostId, placementGeneration, schedulerState, status, statusMessage, reportedAt, scheduledAt, retries, nextAttemptAt, updatedAt] = r;
    const row = {
      id, groupId, portId, configurationId, hostId, placementGeneration, schedulerState, status, statusMessage, reportedAt, scheduledAt, retries, nextAttemptAt, updatedAt,
    } as SnapshotRow;
    rows.set(row.id, row);
    planContainers.push(planContainer(row));
    if (row.hostId !== null) counts.set(row.hostId, (counts.get(row.hostId) ?? 0) + 1);
    const g = placed.get(row.groupId) ?? placed.set(row.groupId, {}).get(row.groupId)!;
    g[row.id] = row.hostId;
  }
  const hostGroupHosts = new Map<string, string[]>();
  for (const [groupId, hostId] of JSON.parse(text.hostGroupMembers) as string[][]) {
    (hostGroupHosts.get(groupId) ?? hostGroupHosts.set(groupId, []).get(groupId)!).push(hostId);
  }
  const portGroupHosts = new Map<string, string[]>();
  for (const [groupId, hostId] of JSON.parse(text.portGroupHosts) as string[][]) {
    (portGroupHosts.get(groupId) ?? portGroupHosts.set(groupId, []).get(groupId)!).push(hostId);
  }
  const groups: Record<string, SchedGroup> = {};
  for (const [id, policy, hostGroupId, portGroupId, antiAffinity] of JSON.parse(text.groups) as Json[][]) {
    groups[id as string] = {
      id: id as string,
      policy: policy === 'weighted' ? 'weighted' : 'least',
      // A group naming a host group that has no members (or was deleted) fits nowhere, not anywhere.
      hostGroupHostIds: hostGroupId === null ? null : (hostGroupHosts.get(hostGroupId as string) ?? []),
      portGroupHostIds: portGroupId === null ? null : (portGroupHosts.get(portGroupId as string) ?? []),
      antiAffinity: bool(antiAffinity),
      containerHosts: placed.get(id as string) ?? {},
    };
  }
  return { counts, groups, containers: planContainers, rows };
}

function parseHosts(text: string, counts: ReadonlyMap<string, number>): PlanHost[] {
  return (JSON.parse(text) as Json[][]).map(([id, alive, weight, limit, enforce, cordoned, badUntil, lastSeenAt, bootId]) => ({
    id: id as string, alive: bool(alive), containerWeight: weight as number, containerLimit: limit as number,
    enforceContainerLimit: bool(enforce), cordoned: bool(cordoned), badUntil: badUntil as number | null,
    containerCount: counts.get(id as string) ?? 0, lastSeenAt: lastSeenAt as number | null, bootId: bootId as string | null,
  }));
}

/** Every host, group and container, with counts and group occupancy covering all containers. */
export function parseFleet(text: FleetText): FleetSnapshot {
  const side = parseContainerSide(text);
  return { hosts: parseHosts(text.hosts, side.counts), groups: side.groups, containers: side.containers, rows: side.rows };
}

/**
 * parseFleet for the controller's step, which reads the fleet every 250 ms: heartbeats change the hosts' text
 * every step, the rest rarely, so the container side of the last parse is kept (one entry, keyed by its text)
 * and only the hosts are parsed again — at rest ~85 % of the parse at 10,000 hosts and 4,000 containers
 * (`npm run bench -- controller-step`, issue 12). Same snapshot as parseFleet; its groups, containers and rows
 * are SHARED between steps, so readers must not change them (the plan, the fingerprint and the appliers only read).
 */
export class FleetParser {
  private last: { text: Omit<FleetText, 'hosts'>; side: ContainerSide } | null = null;

  parse(text: FleetText): FleetSnapshot {
    const l = this.last;
    const same = l !== null && l.text.containers === text.containers && l.text.groups === text.groups
      && l.text.hostGroupMembers === text.hostGroupMembers && l.text.portGroupHosts === text.portGroupHosts;
    const side = same ? l.side : parseContainerSide(text);
    if (!same) this.last = { text: { containers: text.containers, groups: text.groups, hostGroupMembers: text.hostGroupMembers, portGroupHosts: text.portGroupHosts }, side };
    return { hosts: parseHosts(text.hosts, side.counts), groups: side.groups, containers: side.containers, rows: side.rows };
  }
}

/** readFleetText, parsed. */
export async function readFleetSnapshot(db: Db): Promise<FleetSnapshot> {
  return parseFleet(await readFleetText(db));
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
