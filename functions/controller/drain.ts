// Draining a host, as a pure step: the drain's durable state and a snapshot in; the moves to make now (at most
// maxParallel in flight) and the drain's next state out. A move is in flight until the container is RUNNING on
// its new host; a container that left the drain's hands (moved again, deleted, set DOWN) no longer counts.
import { schedulePass } from '../scheduler/schedule';
import type { SchedContainer, SchedGroup, SchedHost } from '../scheduler/types';
import { decisionRecord, type Action, type ContainerStatus } from './types';

/** One move the drain made and waits for: the container, where it went, and the placement it got. */
export interface InFlight {
  containerId: string;
  to: string;
  generation: number;
}

/** What the database keeps about a drain between ticks (and across a control-plane restart). */
export interface DrainState {
  hostId: string;
  maxParallel: number;
  startedAt: number;
  inFlight: InFlight[];
  /** Moves made so far (settled or not). */
  moved: number;
  /** Containers the scheduler found no host for on the last step, with its reason summary (progress view). */
  blocked: { containerId: string; reason: string }[];
}

export interface DrainContainer {
  id: string;
  groupId: string;
  hostId: string | null;
  placementGeneration: number;
  status: ContainerStatus | null;
}

export interface DrainSnapshot {
  now: number;
  /** Every host, liveness judged by the caller (alive = may take new containers now). */
  hosts: readonly SchedHost[];
  groups: Readonly<Record<string, SchedGroup>>;
  /** The containers on the drained host and those named by the drain's inFlight (others are not read). */
  containers: readonly DrainContainer[];
  seed?: string;
}

export interface DrainStep {
  /** The drain's next state; null when the drain is finished (host empty, nothing in flight). */
  state: DrainState | null;
  /** reschedule + event actions for the fenced applier, in order. */
  actions: Action[];
  /** Moves that settled on this step (RUNNING on their new host). */
  settled: string[];
}

/** Still ours and not yet RUNNING where the drain sent it. */
export function stillInFlight(f: InFlight, c: DrainContainer | undefined): boolean {
  return c !== undefined && c.placementGeneration === f.generation && c.hostId === f.to && c.status !== 'RUNNING';
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function drainStep(state: DrainState, snap: DrainSnapshot): DrainStep {
  const byContainer = new Map(snap.containers.map((c) => [c.id, c]));
  const inFlight: InFlight[] = [];
  const settled: string[] = [];
  for (const f of state.inFlight) {
    const c = byContainer.get(f.containerId);
    if (stillInFlight(f, c)) inFlight.push(f);
    else if (c && c.placementGeneration === f.generation && c.status === 'RUNNING') settled.push(f.containerId);
  }
  const todo = snap.containers.filter((c) => c.hostId === state.hostId).sort(byId);
  const actions: Action[] = [];
  const blocked: DrainState['blocked'] = [];
  let hosts: SchedHost[] = [...snap.hosts];
  let groups: Record<string, SchedGroup> = { ...snap.groups };
  let moved = state.moved;
  // One decision at a time, each seeing the ones before it, until the parallel budget is used up.
  for (const c of todo) {
    if (inFlight.length >= state.maxParallel) break;
    const group = groups[c.groupId];
    if (!group) {
      blocked.push({ containerId: c.id, reason: `its container group ${c.groupId} is not in the snapshot` });
      continue;
    }
    const sc: SchedContainer = { id: c.id, groupId: c.groupId, hostId: c.hostId, placementGeneration: c.placementGeneration };
    const pass = schedulePass([sc], { now: snap.now, hosts, groups: { [c.groupId]: group }, seed: snap.seed }, { explain: true });
    const d = pass.decisions[0];
    if (d.hostId === null) {
      // Nowhere to go: the container keeps running on the cordoned host; the next step tries again.
      const why = Object.entries(d.summary).map(([r, n]) => `${n} ${r}`).join(', ');
      blocked.push({ containerId: c.id, reason: `no eligible host (${why})` });
      continue;
    }
    hosts = pass.hosts;
    groups = { ...groups, ...pass.groups };
    const generation = c.placementGeneration + 1;
    const reason = `drain of ${state.hostId}: moved from ${state.hostId} to ${d.hostId} by policy ${d.policy}`;
    actions.push(
      { type: 'reschedule', containerId: c.id, from: state.hostId, to: d.hostId, fromGeneration: c.placementGeneration, placementGeneration: generation, reason, decision: decisionRecord(d) },
      { type: 'event', eventType: 'rescheduled', containerId: c.id, hostId: d.hostId, reason, detail: { policy: d.policy, seed: d.seed, summary: d.summary, reasons: d.reasons, from: state.hostId, drain: state.hostId } },
    );
    inFlight.push({ containerId: c.id, to: d.hostId, generation });
    moved++;
  }
  const movedNow = new Set(actions.flatMap((a) => (a.type === 'reschedule' ? [a.containerId] : [])));
  const left = todo.filter((c) => !movedNow.has(c.id)).length;
  if (left === 0 && inFlight.length === 0) return { state: null, actions, settled };
  return { state: { ...state, inFlight, moved, blocked }, actions, settled };
}

/** How far a drain got, for GET /v1/hosts/{id}/drain. */
export interface DrainProgress {
  remaining: number;
  inFlight: number;
  moved: number;
}

export const drainProgress = (state: DrainState | null, onHost: number): DrainProgress => ({
  remaining: onHost, inFlight: state?.inFlight.length ?? 0, moved: state?.moved ?? 0,
});
