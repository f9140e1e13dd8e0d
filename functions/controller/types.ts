// Plain-data inputs and outputs of the controller's plan: a snapshot of hosts, groups and containers read in
// one transaction, the timers, and the actions the caller applies (fenced by its lease epoch).
import type { Decision, Policy, Reasons, SchedGroup, SchedHost } from '../scheduler/types';

export type SchedulerState = 'DOWN' | 'SCHEDULED' | 'RESCHEDULED' | 'UP';
export type ContainerStatus = 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'ERROR';

/** A host as the plan sees it: the scheduler's view plus what liveness and bad marks are judged on. */
export interface PlanHost extends SchedHost {
  /** hosts.alive as written by ingest: false after a Last Will / offline presence (or a liveness sweep). */
  alive: boolean;
  /** Last presence or heartbeat of any kind (hosts.last_seen_at); null = never heard from. */
  lastSeenAt: number | null;
  bootId: string | null;
  /**
   * The agent's bootId when the host was marked bad: a different bootId now means the agent restarted, which
   * ends the mark early. Optional: without it (no column yet, see the report) only badUntil ends a mark.
   */
  badBootId?: string | null;
}

export interface PlanContainer {
  id: string;
  groupId: string;
  hostId: string | null;
  schedulerState: SchedulerState;
  /** The status reported for the current placement (ingest ignores reports about older ones); null = none yet. */
  status: ContainerStatus | null;
  placementGeneration: number;
  /** When the current placement was made (containers.scheduled_at). */
  scheduledAt: number | null;
  /** Failed placement attempts in the current series (containers.retries). */
  retries: number;
  /** When a DOWN container is tried again (containers.next_attempt_at); null = not before the next event. */
  nextAttemptAt: number | null;
  /** When the controller last tried to place it while DOWN (e.g. containers.updated_at of a DOWN row). */
  attemptedAt: number | null;
  /**
   * When its agent reported it STOPPING/STOPPED with the SELF_FENCED code (cut off from the broker); null or
   * absent otherwise. Not the host's failure: the agent rebuilds it from the retained document on reconnect.
   */
  selfFencedAt?: number | null;
}

export interface PlanSnapshot {
  hosts: readonly PlanHost[];
  groups: Readonly<Record<string, SchedGroup>>;
  /** The containers to judge; hosts' containerCount and groups' containerHosts must cover all containers. */
  containers: readonly PlanContainer[];
  /** When this controller won its current lease epoch (the leader grace counts from here). */
  leaderSince: number;
  /**
   * The last time the fleet changed in a way that can make a host fit (see fleetFingerprint): a DOWN container
   * that tried before this is tried again at once, even after its retries ran out. null = no change known.
   */
  fleetChangedAt: number | null;
  /** Mixed into weighted decisions' PRNG keys (e.g. the lease epoch). */
  seed?: string;
  /** false: decisions name only the chosen host (big fleets); their per-reason summary stays complete. */
  explain?: boolean;
}

/** All in milliseconds (except maxRetries). */
export interface Timers {
  /** A placement with no STARTING/RUNNING report after this marks the host bad and moves the container. */
  schedulerTimeout: number;
  /** How long a bad mark lasts (an agent restart ends it sooner). */
  badHostLifetime: number;
  /** First retry delay of a DOWN container; doubles per failed attempt up to retryCap. */
  retryBase: number;
  retryCap: number;
  /** After this many failed attempts a DOWN container waits for the next fleet change. */
  maxRetries: number;
  /** Silence after which a host is dead; also the grace a new leader waits before judging by silence. */
  hostDeadAfter: number;
}

export const DEFAULT_TIMERS: Timers = {
  schedulerTimeout: 10_000, badHostLifetime: 30_000, retryBase: 1_000, retryCap: 30_000, maxRetries: 10, hostDeadAfter: 2_000,
};

/** The scheduler's record of a decision, kept with the action for events and `explain`. */
export interface DecisionRecord {
  policy: Policy;
  reasons: Reasons;
  summary: Record<string, number>;
  seed: string;
}

export const decisionRecord = (d: Decision): DecisionRecord => ({ policy: d.policy, reasons: d.reasons, summary: d.summary, seed: d.seed });

/**
 * What the caller applies, in order, in one fenced write transaction. Container actions carry the generation
 * they were planned against (`fromGeneration`): apply them only if the row still has it (an operator or
 * another writer may have moved the container meanwhile).
 */
export type Action =
  | { type: 'hostDead'; hostId: string; reason: string }
  | { type: 'markHostBad'; hostId: string; until: number; bootId: string | null; reason: string }
  | { type: 'clearHostBad'; hostId: string; reason: string }
  | { type: 'up'; containerId: string; hostId: string; fromGeneration: number }
  | { type: 'place'; containerId: string; hostId: string; fromGeneration: number; placementGeneration: number; reason: string; decision: DecisionRecord }
  | {
    type: 'reschedule'; containerId: string; from: string; to: string; fromGeneration: number; placementGeneration: number;
    reason: string; decision: DecisionRecord;
  }
  | {
    /** No host fits: unbind (from, if any) and wait; retryAt null = until the next fleet change. */
    type: 'setDown'; containerId: string; from: string | null; fromGeneration: number; placementGeneration: number;
    retries: number; retryAt: number | null; reason: string; decision: DecisionRecord;
  }
  | { type: 'event'; eventType: EventType; containerId: string | null; hostId: string | null; reason: string; detail?: Record<string, unknown> }
  | { type: 'noop'; containerId: string; reason: string };

export type EventType = 'scheduled' | 'rescheduled' | 'down' | 'retries-exhausted' | 'host-bad' | 'host-bad-cleared' | 'host-dead';

/** DESIGN's timers with the deployment's hostDeadAfter (BERTH_HOST_DEAD_AFTER_MS on berth serve), where it set one. */
export const timersFor = (config?: { hostDeadAfterMs?: number }): Timers =>
  (config?.hostDeadAfterMs ? { ...DEFAULT_TIMERS, hostDeadAfter: config.hostDeadAfterMs } : DEFAULT_TIMERS);
