// The scheduler: filters (hard, then soft) narrow the hosts, the group's policy picks one. Pure: the same
// snapshot and seed always give the same decision, with the reason every other host was passed over.
import { AppError } from '../../shared/errors';
import { FILTERS } from './filters';
import { PassIndex } from './fast';
import { least } from './select/least';
import { seededRandom } from './select/prng';
import { weighted } from './select/weighted';
import {
  ELIGIBLE, type Decision, type Filter, type FilterContext, type Policy, type Reasons, type SchedContainer,
  type SchedGroup, type SchedHost, type SchedSnapshot, type Selector,
} from './types';

const SELECTORS: Record<Policy, Selector> = { weighted, least };

export interface ScheduleOptions {
  /** Mixed into the PRNG key (default ''). */
  seed?: string;
  /** Replaces the default filter chain (tests, or a caller adding its own plugin). */
  filters?: readonly Filter[];
  /**
   * true (default): `reasons` names every host. false: only the chosen host, for bulk passes over big fleets
   * where a 1,000-entry map per decision would cost more than the decision (`summary` is always complete).
   */
  explain?: boolean;
}

type GroupSets = Pick<FilterContext, 'hostGroup' | 'portGroup'>;

const groupSets = (group: SchedGroup): GroupSets => ({
  hostGroup: group.hostGroupHostIds === null ? null : new Set(group.hostGroupHostIds),
  portGroup: group.portGroupHostIds === null ? null : new Set(group.portGroupHostIds),
});

/** The per-decision context: the group's lists turned into sets once, not once per host. */
export function filterContext(container: Pick<SchedContainer, 'id'>, group: SchedGroup, now: number, sets: GroupSets = groupSets(group)): FilterContext {
  const groupHosts = new Set<string>();
  // Only anti-affinity reads it; big groups without anti-affinity skip the walk over all their containers.
  if (group.antiAffinity) {
    for (const [id, hostId] of Object.entries(group.containerHosts)) if (id !== container.id && hostId !== null) groupHosts.add(hostId);
  }
  return { now, group, containerId: container.id, groupHosts, ...sets };
}

/** The PRNG key of one decision: replaying the same container, generation and seed draws the same numbers. */
export const decisionSeed = (seed: string, c: SchedContainer) => `${seed}:${c.id}:${(c.placementGeneration ?? 0) + 1}`;

/**
 * The filter chain split for speed: host-scoped filters that lead the chain are judged once per host per pass
 * (judgeHealth); the rest run per decision. Filters after the first placement-scoped one keep their order.
 */
interface Prepared {
  lead: readonly Filter[];
  rest: readonly Filter[];
  soft: readonly Filter[];
}

function prepare(filters: readonly Filter[]): Prepared {
  const hard = filters.filter((f) => f.kind === 'hard');
  let n = 0;
  while (n < hard.length && hard[n].scope === 'host') n++;
  return { lead: hard.slice(0, n), rest: hard.slice(n), soft: filters.filter((f) => f.kind === 'soft') };
}

/** Hosts split by the leading host-scoped filters: those that pass, and the reason each other one failed. */
interface Health {
  healthy: SchedHost[];
  rejected: [SchedHost, string][];
  summary: Record<string, number>;
}

function judgeHealth(p: Prepared, hosts: readonly SchedHost[], now: number): Health {
  const ctx = { now } as FilterContext; // host-scoped filters read only ctx.now
  const out: Health = { healthy: [], rejected: [], summary: {} };
  for (const h of hosts) {
    const failed = p.lead.find((f) => !f.filter(h, ctx));
    if (!failed) {
      out.healthy.push(h);
      continue;
    }
    out.rejected.push([h, failed.reason]);
    out.summary[failed.reason] = (out.summary[failed.reason] ?? 0) + 1;
  }
  return out;
}

const byId = (a: SchedHost, b: SchedHost) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Chooses a host for one container. Every host gets a reason: the first hard filter that rejects it, the soft
 * filter it lost to (only when some other host passes that soft filter), or 'eligible'.
 */
export function schedule(
  container: SchedContainer, group: SchedGroup, snapshot: Pick<SchedSnapshot, 'now' | 'hosts'>, opts: ScheduleOptions = {},
): Decision {
  const p = prepare(opts.filters ?? FILTERS);
  const health = judgeHealth(p, [...snapshot.hosts].sort(byId), snapshot.now);
  return decide(container, group, filterContext(container, group, snapshot.now), p, health, opts);
}

/** One decision over hosts already judged for health; candidates stay in id order (weighted relies on it). */
function decide(container: SchedContainer, group: SchedGroup, ctx: FilterContext, p: Prepared, health: Health, opts: ScheduleOptions): Decision {
  const explain = opts.explain ?? true;
  const reasons: Reasons = {};
  const summary: Record<string, number> = { ...health.summary };
  if (explain) for (const [h, reason] of health.rejected) reasons[h.id] = reason;
  const note = (h: SchedHost, reason: string) => {
    summary[reason] = (summary[reason] ?? 0) + 1;
    if (explain) reasons[h.id] = reason;
  };
  const hosts = health.healthy;
  let candidates: SchedHost[] = [];
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i];
    let reason: string | undefined;
    for (let j = 0; j < p.rest.length && reason === undefined; j++) if (!p.rest[j].filter(h, ctx)) reason = p.rest[j].reason;
    if (reason === undefined) candidates.push(h);
    else note(h, reason);
  }
  for (const f of p.soft) {
    const passing = candidates.filter((h) => f.filter(h, ctx));
    // A soft filter only ever orders preference: when nobody passes it, everybody stays in.
    if (passing.length === 0 || passing.length === candidates.length) continue;
    const kept = new Set(passing);
    for (const h of candidates) if (!kept.has(h)) note(h, f.reason);
    candidates = passing;
  }
  if (candidates.length > 0) summary[ELIGIBLE] = candidates.length;
  if (explain) for (let i = 0; i < candidates.length; i++) reasons[candidates[i].id] = ELIGIBLE;

  const policy: Policy = group.policy === 'weighted' ? 'weighted' : 'least';
  const seed = decisionSeed(opts.seed ?? '', container);
  const hostId = candidates.length === 0 ? null : SELECTORS[policy].select(candidates, seededRandom(seed)).id;
  if (hostId !== null) reasons[hostId] = ELIGIBLE;
  return { containerId: container.id, from: container.hostId, hostId, policy, reasons, summary, seed };
}

export interface PassResult {
  decisions: Decision[];
  /** The hosts with their counts after the pass (the input is not changed). */
  hosts: SchedHost[];
  /** The groups with containerHosts after the pass. */
  groups: Record<string, SchedGroup>;
}

/**
 * Places many containers in order, each decision seeing the ones before it: counts move from the host a
 * container leaves to the one it gets, and the group's containerHosts follow (anti-affinity, least). A container
 * with no host found is taken as unplaced (it leaves its old host), as the controller then sets it DOWN.
 */
export function schedulePass(containers: readonly SchedContainer[], snapshot: SchedSnapshot, opts: Omit<ScheduleOptions, 'seed'> = {}): PassResult {
  // Id order: weighted walks candidates in id order, and sorted input keeps that sort cheap.
  const hosts = snapshot.hosts.map((h) => ({ ...h })).sort(byId);
  const index = new Map(hosts.map((h) => [h.id, h]));
  const groups: Record<string, SchedGroup> = {};
  const placedIn: Record<string, Record<string, string | null>> = {};
  for (const [id, g] of Object.entries(snapshot.groups)) {
    placedIn[id] = { ...g.containerHosts };
    groups[id] = { ...g, containerHosts: placedIn[id] };
  }
  const p = prepare(opts.filters ?? FILTERS);
  // Host health does not change during a pass (counts do, and hard-limit is placement-scoped).
  const health = judgeHealth(p, hosts, snapshot.now);

  // The default chain without explain: decisions from the pass index, O(log hosts) each (same answers).
  const fast = opts.explain === false && PassIndex.covers(opts.filters ?? FILTERS) ? PassIndex.build(health.healthy) : undefined;

  const setsOf = new Map<string, GroupSets>();
  const decisions: Decision[] = [];
  for (const c of containers) {
    const group = groups[c.groupId];
    if (!group) throw new AppError('INTERNAL', `scheduler snapshot has no container group ${c.groupId} (container ${c.id})`);
    let sets = setsOf.get(c.groupId);
    if (!sets) setsOf.set(c.groupId, (sets = groupSets(group)));
    const ctx = filterContext(c, group, snapshot.now, sets);
    const d = fast?.decide(c, group, ctx, health.summary, decisionSeed(snapshot.seed ?? '', c)) ?? decide(c, group, ctx, p, health, { ...opts, seed: snapshot.seed });
    const from = c.hostId === null ? undefined : index.get(c.hostId);
    if (from) {
      from.containerCount = Math.max(0, from.containerCount - 1);
      fast?.touch(from);
    }
    const to = d.hostId === null ? undefined : index.get(d.hostId);
    if (to) {
      to.containerCount += 1;
      fast?.touch(to);
    }
    placedIn[c.groupId][c.id] = d.hostId;
    decisions.push(d);
  }
  return { decisions, hosts, groups };
}
