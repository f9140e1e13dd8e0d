// Rebalance as a pure planner: moves that even the load (the least policy's container counts) over the hosts
// that may take containers, within a move budget. Each move goes from the most loaded host to the host the
// scheduler picks for that container (affinity, anti-affinity, limits all apply), and only when it narrows the
// gap (target + 1 < source). A router's containers move one at a time: none of a router that is still settling,
// and at most one per router per plan.
import { FILTERS } from '../scheduler/filters';
import { schedule } from '../scheduler/schedule';
import type { Filter, SchedGroup, SchedHost } from '../scheduler/types';
import { decisionRecord, type ContainerStatus, type DecisionRecord } from './types';

export interface RebalanceContainer {
  id: string;
  groupId: string;
  hostId: string | null;
  placementGeneration: number;
  status: ContainerStatus | null;
  /** The router it serves (containers.configuration_id): the unit that moves one container at a time. */
  routerId: string;
}

export interface RebalanceSnapshot {
  now: number;
  /** Every host, liveness judged by the caller; containerCount counts every container placed there. */
  hosts: readonly SchedHost[];
  groups: Readonly<Record<string, SchedGroup>>;
  containers: readonly RebalanceContainer[];
  seed?: string;
}

export interface RebalanceMove {
  containerId: string;
  from: string;
  to: string;
  reason: string;
  fromGeneration: number;
  placementGeneration: number;
  decision: DecisionRecord;
}

/**
 * Rebalance never fills a host to its limit, soft or hard: moving is optional, so a soft limit is a limit here.
 * (The scheduler's own soft-limit filter only prefers; this one rejects.)
 */
export const underLimit: Filter = {
  name: 'rebalance-under-limit', kind: 'hard', scope: 'placement', reason: 'host is at its container limit (rebalance never fills a host to it)',
  filter: (h) => h.containerLimit < 0 || h.containerCount < h.containerLimit,
};

const REBALANCE_FILTERS: readonly Filter[] = [...FILTERS.filter((f) => f.kind === 'hard'), underLimit];
/** Host-scoped health (alive, weight, not bad, not cordoned): only such hosts give or take containers. */
const HEALTH = FILTERS.filter((f) => f.kind === 'hard' && f.scope === 'host');

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function planRebalance(snap: RebalanceSnapshot, maxMoves: number): RebalanceMove[] {
  const ctx = { now: snap.now } as Parameters<Filter['filter']>[1];
  const hosts = snap.hosts.filter((h) => HEALTH.every((f) => f.filter(h, ctx))).map((h) => ({ ...h })).sort(byId);
  const index = new Map(hosts.map((h) => [h.id, h]));
  const groups: Record<string, SchedGroup> = {};
  const placedIn: Record<string, Record<string, string | null>> = {};
  for (const [id, g] of Object.entries(snap.groups)) {
    placedIn[id] = { ...g.containerHosts };
    groups[id] = { ...g, containerHosts: placedIn[id] };
  }

  // A router with a container not RUNNING where it was placed is settling (a move, a failover, a start): wait.
  const settling = new Set(snap.containers.filter((c) => c.hostId === null || c.status !== 'RUNNING').map((c) => c.routerId));
  const onHost = new Map<string, RebalanceContainer[]>();
  for (const c of [...snap.containers].sort(byId)) {
    if (c.hostId === null || c.status !== 'RUNNING' || settling.has(c.routerId) || !groups[c.groupId]) continue;
    const list = onHost.get(c.hostId) ?? [];
    list.push(c);
    onHost.set(c.hostId, list);
  }

  const moves: RebalanceMove[] = [];
  const movedRouters = new Set<string>();
  while (moves.length < maxMoves && hosts.length > 1) {
    const least = Math.min(...hosts.map((h) => h.containerCount));
    const sources = [...hosts].sort((a, b) => b.containerCount - a.containerCount || byId(a, b));
    let made: RebalanceMove | null = null;
    for (const src of sources) {
      if (src.containerCount - least < 2) break; // no move from here (or any lighter host) can narrow a gap
      for (const c of onHost.get(src.id) ?? []) {
        if (movedRouters.has(c.routerId)) continue;
        made = tryMove(c, src, hosts, groups, snap);
        if (made) break;
      }
      if (made) break;
    }
    if (!made) break;
    const move: RebalanceMove = made;
    const c = snap.containers.find((x) => x.id === move.containerId)!;
    moves.push(move);
    movedRouters.add(c.routerId);
    index.get(move.from)!.containerCount -= 1;
    index.get(move.to)!.containerCount += 1;
    placedIn[c.groupId][c.id] = move.to;
    onHost.set(move.from, (onHost.get(move.from) ?? []).filter((x) => x.id !== c.id));
  }
  return moves;
}

/** The scheduler's pick for c among the other healthy hosts, by the least policy; a move only if it narrows the gap. */
function tryMove(c: RebalanceContainer, src: SchedHost, hosts: SchedHost[], groups: Record<string, SchedGroup>, snap: RebalanceSnapshot): RebalanceMove | null {
  const group = { ...groups[c.groupId], policy: 'least' as const };
  const others = hosts.filter((h) => h.id !== src.id);
  const d = schedule({ id: c.id, groupId: c.groupId, hostId: c.hostId, placementGeneration: c.placementGeneration }, group, { now: snap.now, hosts: others },
    { filters: REBALANCE_FILTERS, seed: snap.seed, explain: false });
  if (d.hostId === null) return null;
  const to = others.find((h) => h.id === d.hostId)!;
  if (to.containerCount + 1 >= src.containerCount) return null;
  return {
    containerId: c.id, from: src.id, to: to.id, fromGeneration: c.placementGeneration, placementGeneration: c.placementGeneration + 1,
    reason: `evens load: ${src.id} had ${src.containerCount} containers, ${to.id} had ${to.containerCount}`, decision: decisionRecord(d),
  };
}
