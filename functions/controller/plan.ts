// The controller's per-container state machine (DESIGN section 4) as a pure function: a snapshot, the time and
// the timers in; the actions that bring the fleet to where the rules say out. MidoNet's rules: containers move
// only on failure (dead host, weight 0, ERROR, stopped while running, no start within the scheduler timeout) —
// never because a better host appeared, a weight rose or a policy changed.
import { schedulePass } from '../scheduler/schedule';
import type { SchedContainer, SchedHost } from '../scheduler/types';
import { decisionRecord, type Action, type PlanContainer, type PlanHost, type PlanSnapshot, type Timers } from './types';

/** Delay before attempt n+1 after n failed attempts (n ≥ 1): exponential from retryBase, capped at retryCap. */
/** Why a container moves when its host died: the end of its 'rescheduled' event's reason (failover metrics). */
export const HOST_DEAD = 'its host is dead';

export const retryDelay = (failed: number, t: Timers) => Math.min(t.retryBase * 2 ** Math.max(0, failed - 1), t.retryCap);

/** Silent: nothing heard for longer than hostDeadAfter (or never). */
export const isSilent = (h: PlanHost, now: number, t: Timers) => h.lastSeenAt === null || now - h.lastSeenAt > t.hostDeadAfter;

/** Why a placed container must move, and whether its host is to blame (marked bad). */
interface Move {
  reason: string;
  blameHost: boolean;
}

type Verdict = { kind: 'move'; move: Move } | { kind: 'place'; woken: boolean } | { kind: 'up' } | { kind: 'noop'; reason: string } | { kind: 'ok' };

interface World {
  now: number;
  t: Timers;
  grace: boolean;
  leaderSince: number;
  hosts: ReadonlyMap<string, PlanHost>;
  /** Hosts this plan declares dead (reported dead, or silent past hostDeadAfter outside the grace). */
  dead: ReadonlySet<string>;
  fleetChangedAt: number | null;
}

/** What one container needs, judged alone (the scheduler then places all movers together). */
function judge(c: PlanContainer, w: World): Verdict {
  if (c.hostId === null) return judgeUnplaced(c, w);
  const host = w.hosts.get(c.hostId);
  if (!host) return move('its host no longer exists', false);
  if (w.dead.has(host.id)) return move(HOST_DEAD, false);
  if (host.containerWeight <= 0) return move('its host has container weight 0', false);
  if (c.status === 'ERROR') return move('the container reported ERROR', true);
  if ((c.status === 'STOPPING' || c.status === 'STOPPED') && c.selfFencedAt != null) {
    // Its agent lost the broker — often the broker (a control-plane restart), not the host, was gone. The host is
    // alive again, so the agent is rebuilding it from its retained document; only a rebuild that never comes fails.
    const deadline = c.selfFencedAt + w.t.schedulerTimeout;
    if (w.now < deadline) return { kind: 'noop', reason: `self-fenced by its agent: waiting for it to start again until ${deadline}` };
    return move(`self-fenced and not started again within ${w.t.schedulerTimeout} ms`, true);
  }
  if (c.schedulerState === 'UP' && (c.status === 'STOPPING' || c.status === 'STOPPED')) return move(`the container was ${c.status} while running`, true);
  if (c.status === 'RUNNING') return c.schedulerState === 'UP' ? { kind: 'ok' } : { kind: 'up' };
  if (c.schedulerState === 'UP' || c.status === 'STARTING') return { kind: 'ok' };
  // Placed, not started: judged by the silence of the agent, so a new leader gives it the same grace as hosts.
  const deadline = (c.scheduledAt ?? w.leaderSince) + w.t.schedulerTimeout;
  if (w.now < deadline) return { kind: 'noop', reason: `waiting for STARTING or RUNNING until ${deadline}` };
  if (w.grace) return { kind: 'noop', reason: 'new leader: waiting one hostDeadAfter before judging by silence' };
  return move(`no STARTING or RUNNING within ${w.t.schedulerTimeout} ms`, true);
}

function judgeUnplaced(c: PlanContainer, w: World): Verdict {
  const woken = w.fleetChangedAt !== null && (c.attemptedAt === null || w.fleetChangedAt > c.attemptedAt);
  if (woken || c.retries === 0) return { kind: 'place', woken };
  if (c.retries >= w.t.maxRetries || c.nextAttemptAt === null) {
    return { kind: 'noop', reason: `no host after ${c.retries} attempts: waiting for a host to appear or change` };
  }
  if (w.now < c.nextAttemptAt) return { kind: 'noop', reason: `retry ${c.retries + 1} at ${c.nextAttemptAt}` };
  return { kind: 'place', woken: false };
}

const move = (reason: string, blameHost: boolean): Verdict => ({ kind: 'move', move: { reason, blameHost } });
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function plan(snapshot: PlanSnapshot, now: number, t: Timers): Action[] {
  const actions: Action[] = [];
  const grace = now < snapshot.leaderSince + t.hostDeadAfter;
  const hosts = new Map(snapshot.hosts.map((h) => [h.id, h]));

  // Hosts first: who is dead, whose bad mark ended with an agent restart.
  const dead = new Set<string>();
  const badUntil = new Map<string, number | null>();
  for (const h of [...snapshot.hosts].sort(byId)) {
    if (!h.alive) dead.add(h.id);
    else if (isSilent(h, now, t) && !grace) {
      dead.add(h.id);
      const reason = h.lastSeenAt === null ? 'never heard from' : `no heartbeat or presence for ${now - h.lastSeenAt} ms`;
      actions.push({ type: 'hostDead', hostId: h.id, reason }, { type: 'event', eventType: 'host-dead', containerId: null, hostId: h.id, reason });
    }
    badUntil.set(h.id, h.badUntil);
    const restarted = h.badUntil !== null && h.badUntil > now && h.badBootId != null && h.bootId !== null && h.bootId !== h.badBootId;
    if (restarted) {
      badUntil.set(h.id, null);
      const reason = 'the agent restarted since the host was marked bad';
      actions.push({ type: 'clearHostBad', hostId: h.id, reason }, { type: 'event', eventType: 'host-bad-cleared', containerId: null, hostId: h.id, reason });
    }
  }

  // Containers: judge each alone; blame hosts before anyone is placed, so no mover lands on a host just blamed.
  const world: World = { now, t, grace, leaderSince: snapshot.leaderSince, hosts, dead, fleetChangedAt: snapshot.fleetChangedAt };
  const movers: { c: PlanContainer; move: Move }[] = [];
  const unplaced: { c: PlanContainer; woken: boolean }[] = [];
  for (const c of [...snapshot.containers].sort(byId)) {
    if (!snapshot.groups[c.groupId]) {
      actions.push({ type: 'noop', containerId: c.id, reason: `its container group ${c.groupId} is not in the snapshot` });
      continue;
    }
    const v = judge(c, world);
    if (v.kind === 'move') movers.push({ c, move: v.move });
    else if (v.kind === 'place') unplaced.push({ c, woken: v.woken });
    else if (v.kind === 'up') actions.push({ type: 'up', containerId: c.id, hostId: c.hostId!, fromGeneration: c.placementGeneration });
    else if (v.kind === 'noop') actions.push({ type: 'noop', containerId: c.id, reason: v.reason });
  }
  for (const { c, move: m } of movers) {
    const h = hosts.get(c.hostId!);
    if (!m.blameHost || !h || (badUntil.get(h.id) ?? 0) > now) continue;
    const until = now + t.badHostLifetime;
    badUntil.set(h.id, until);
    const reason = `container ${c.id}: ${m.reason}`;
    actions.push({ type: 'markHostBad', hostId: h.id, until, bootId: h.bootId, reason }, { type: 'event', eventType: 'host-bad', containerId: null, hostId: h.id, reason });
  }

  // One scheduler pass: failed-over containers before new ones (they were serving), each seeing the others.
  const todo: SchedContainer[] = [...movers.map((m) => m.c), ...unplaced.map((u) => u.c)]
    .map((c) => ({ id: c.id, groupId: c.groupId, hostId: c.hostId, placementGeneration: c.placementGeneration }));
  // Nothing to place (most steps of a fleet at rest): no pass, whose set-up copies every host and group (issue 12).
  if (todo.length === 0) return actions;
  const sched: SchedHost[] = snapshot.hosts.map((h) => ({
    ...h,
    // New placements need a host heard from lately, grace or not: a silent host is not dead yet, but not fit.
    alive: !dead.has(h.id) && !isSilent(h, now, t),
    badUntil: badUntil.get(h.id) ?? null,
  }));
  const { decisions } = schedulePass(todo, { now, hosts: sched, groups: snapshot.groups, seed: snapshot.seed }, { explain: snapshot.explain });

  const why = new Map(movers.map((m) => [m.c.id, m.move.reason]));
  const woken = new Map(unplaced.map((u) => [u.c.id, u.woken]));
  const containers = new Map(snapshot.containers.map((c) => [c.id, c]));
  for (const d of decisions) {
    const c = containers.get(d.containerId)!;
    const record = decisionRecord(d);
    const eligible = d.summary.eligible ?? 0;
    const hostCount = Object.values(d.summary).reduce((s, n) => s + n, 0);
    const gen = { fromGeneration: c.placementGeneration, placementGeneration: c.placementGeneration + 1 };
    const detail = { policy: d.policy, seed: d.seed, summary: d.summary, reasons: d.reasons };
    if (d.hostId !== null && c.hostId === null) {
      const reason = `placed on ${d.hostId} by policy ${d.policy} (${eligible} of ${hostCount} hosts eligible)`;
      actions.push({ type: 'place', containerId: c.id, hostId: d.hostId, ...gen, reason, decision: record },
        { type: 'event', eventType: 'scheduled', containerId: c.id, hostId: d.hostId, reason, detail });
    } else if (d.hostId !== null) {
      const reason = `moved from ${c.hostId} to ${d.hostId}: ${why.get(c.id)}`;
      actions.push({ type: 'reschedule', containerId: c.id, from: c.hostId!, to: d.hostId, ...gen, reason, decision: record },
        { type: 'event', eventType: 'rescheduled', containerId: c.id, hostId: d.hostId, reason, detail: { ...detail, from: c.hostId } });
    } else {
      actions.push(...down(c, why.get(c.id), woken.get(c.id) ?? false, record, hostCount, now, t));
    }
  }
  return actions;
}

/** No host fits: the container goes (or stays) DOWN with the next retry, or none once the retries ran out. */
function down(c: PlanContainer, moveReason: string | undefined, woken: boolean, record: ReturnType<typeof decisionRecord>, hostCount: number, now: number, t: Timers): Action[] {
  // A failure or a fleet change starts a new series of attempts; otherwise this is one more of the series.
  const retries = moveReason !== undefined || woken ? 1 : c.retries + 1;
  const exhausted = retries >= t.maxRetries;
  const retryAt = exhausted ? null : now + retryDelay(retries, t);
  const nowhere = `no eligible host among ${hostCount}`;
  const reason = moveReason !== undefined ? `${moveReason}; ${nowhere}` : nowhere;
  const gen = c.hostId === null
    ? { fromGeneration: c.placementGeneration, placementGeneration: c.placementGeneration }
    // Leaving a host is a new placement (of nowhere): late reports from the old host no longer count.
    : { fromGeneration: c.placementGeneration, placementGeneration: c.placementGeneration + 1 };
  const detail = { policy: record.policy, summary: record.summary, reasons: record.reasons, retries, retryAt, from: c.hostId };
  const out: Action[] = [
    { type: 'setDown', containerId: c.id, from: c.hostId, ...gen, retries, retryAt, reason, decision: record },
    { type: 'event', eventType: 'down', containerId: c.id, hostId: c.hostId, reason: exhausted ? reason : `${reason}; retry ${retries + 1} at ${retryAt}`, detail },
  ];
  if (exhausted) {
    out.push({ type: 'event', eventType: 'retries-exhausted', containerId: c.id, hostId: null, reason: `gave up after ${retries} attempts: waiting for a host to appear or change` });
  }
  return out;
}
