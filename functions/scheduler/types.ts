// Plain-data inputs and outputs of the scheduler: built from database rows by whoever wires it in, so every
// plugin stays a pure function of these values (no database, no clock, no randomness except a seeded PRNG).

export type Policy = 'weighted' | 'least';

/** A compute host as the scheduler sees it. */
export interface SchedHost {
  id: string;
  /** Reported alive and not silent (the caller judges liveness; the scheduler only reads this flag). */
  alive: boolean;
  containerWeight: number;
  /** -1 = no limit. */
  containerLimit: number;
  /** true: the limit is hard (never exceeded); false: soft (over-limit hosts used only when no other fits). */
  enforceContainerLimit: boolean;
  cordoned: boolean;
  /** Marked bad by the controller until this time (ms); null or in the past = not bad. */
  badUntil: number | null;
  /** Containers placed on the host now, including placements made earlier in the same pass. */
  containerCount: number;
}

/** A container group's placement rules and where its containers are. */
export interface SchedGroup {
  id: string;
  policy: Policy;
  /** Member hosts of the group's host group; null = the group has no host group (anywhere). */
  hostGroupHostIds: readonly string[] | null;
  /** Hosts where a port of the group's port group is bound; null = the group has no port group (anywhere). */
  portGroupHostIds: readonly string[] | null;
  antiAffinity: boolean;
  /** containerId → host it is placed on (null: none), for every container of the group (anti-affinity). */
  containerHosts: Readonly<Record<string, string | null>>;
}

/** The container to place: its current host (null when unplaced) is the one it leaves. */
export interface SchedContainer {
  id: string;
  groupId: string;
  hostId: string | null;
  /** Part of the PRNG key, so a replay of the same decision draws the same number. */
  placementGeneration?: number;
}

/** What a filter may look at besides the host: built once per decision (see filterContext in schedule.ts). */
export interface FilterContext {
  now: number;
  group: SchedGroup;
  containerId: string;
  /** The group's host-group members as a set; null = no host group. */
  hostGroup: ReadonlySet<string> | null;
  /** Hosts where a port of the group's port group is bound; null = no port group. */
  portGroup: ReadonlySet<string> | null;
  /** Hosts holding another container of the same group (not the one being placed). */
  groupHosts: ReadonlySet<string>;
}

/**
 * A filter plugin. hard: a host that fails is never chosen. soft: a host that fails is chosen only when no host
 * passes (the soft limit). `reason` is a constant string, recorded per rejected host (Kubernetes/Nomad style).
 */
export interface Filter {
  name: string;
  reason: string;
  kind: 'hard' | 'soft';
  /**
   * 'host': the answer depends only on the host's own fields and ctx.now (not on the group, the container or
   * the counts), so a pass judges it once per host. 'placement': asked for every decision.
   */
  scope: 'host' | 'placement';
  filter(host: SchedHost, ctx: FilterContext): boolean;
}

/** A selection plugin: picks one of the eligible hosts (never called with an empty list). */
export interface Selector {
  name: Policy;
  select(candidates: readonly SchedHost[], rng: () => number): SchedHost;
}

/** The recorded answer for every host the scheduler looked at. */
export const ELIGIBLE = 'eligible';
export type Reasons = Record<string, string>;

export interface Decision {
  containerId: string;
  /** Host the container leaves (null when it was unplaced). */
  from: string | null;
  /** The chosen host; null when no host fits. */
  hostId: string | null;
  policy: Policy;
  /** hostId → the first filter reason that rejected it, or 'eligible' (only the chosen host when explain is off). */
  reasons: Reasons;
  /** How many hosts got each reason (and 'eligible'): the short form for big fleets, always complete. */
  summary: Record<string, number>;
  /** The key the PRNG was seeded with (weighted policy), so the decision can be replayed. */
  seed: string;
}

/** Everything schedulePass reads. */
export interface SchedSnapshot {
  now: number;
  hosts: readonly SchedHost[];
  groups: Readonly<Record<string, SchedGroup>>;
  /** Mixed into every decision's PRNG key (e.g. the controller's epoch); default ''. */
  seed?: string;
}
