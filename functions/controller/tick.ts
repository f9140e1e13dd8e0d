// The controller's one step (runtime-neutral and stateless): take or renew the 'controller' lease, then plan over
// a snapshot and apply the actions in ONE fenced transaction. Everything a step needs from earlier steps lives in
// the lease row (leader_since, the fleet fingerprint and when it changed, and on Workers when ingest last heard
// the agents), so the same call gives the same result every 250 ms in `berth serve` (functions/node/tick.ts) or
// once per event in a Worker invocation (functions/worker/pipeline.ts). A replica that is not the leader does
// nothing; a stale leader's transaction fails with STALE_EPOCH and changes nothing; a new epoch starts a new
// leadership (grace before judging silence).
import type { Deps } from '../deps';
import { CONTROLLER_LEASE } from '../relay/relay';
import { isAppError } from '../../shared/errors';
import { publishEvents } from '../services/events/publish';
import { applyActions, type ContainerEvent } from './apply';
import { secondsSince } from '../observe';
import { fingerprintHash, fleetFingerprint } from './fleet';
import { hearingFromIngest } from './hearing';
import { acquireLease, acquireStep, checkFence, fencedWrite, fenceStep, heldLease, releaseLease, rememberFleet, rememberFleetStep, type HeldLease } from './lease';
import { inOneTrip } from '../db/batch';
import { plan } from './plan';
import { FleetParser, fleetStep, fleetText, parseFleet, readFleetText, sameFleetText, type FleetSnapshot, type FleetText } from './snapshot';
import { DEFAULT_TIMERS, type Action, type Timers } from './types';

/**
 * How the step knows since when the control plane can hear the agents (silence is judged only after hearing for
 * hostDeadAfter, DESIGN section 6). 'process': the caller's own broker connection (Node). 'ingest': from the
 * time of the last HTTP ingest batch stored in the lease row (Workers: docs/decisions.md, issue 8).
 */
export type Hearing =
  | { kind: 'process'; since: () => number | null }
  | { kind: 'ingest'; windowMs: number };

export interface ControllerOptions {
  /** Who this replica is in the lease row (unique per process; on Workers one name for the deployment). */
  holder: string;
  /** Told the lease this step acts under as soon as it is taken or renewed (null: not leading). */
  onLease?: (lease: HeldLease | null) => void;
  timers?: Timers;
  leaseTtlMs?: number;
  /** Default: always hearing (tests, benchmarks). */
  hearing?: Hearing;
  /** Shorthand for hearing: { kind: 'process', since } (berth serve's broker connection). */
  hearingSince?: () => number | null;
  /** false: decisions name only the chosen host (big fleets). Default true. */
  explain?: boolean;
  /** A long-running replica's parse memo (only what was read is kept, nothing decided); default: parse afresh. */
  parser?: FleetParser;
}

export interface TickResult {
  leader: boolean;
  epoch: number | null;
  /** Actions that changed something this tick. */
  applied: Action[];
  events: ContainerEvent[];
}

type StepDeps = Pick<Deps, 'database' | 'clock' | 'logger' | 'publisher' | 'observer'>;

/** The controller lease's time to live (DESIGN §6: 2 s, renewed every step). */
export const CONTROLLER_LEASE_TTL_MS = 2000;

const NONE: TickResult = { leader: false, epoch: null, applied: [], events: [] };
const changes = (actions: readonly Action[]) => actions.some((a) => a.type !== 'noop');

function hearingSince(opts: ControllerOptions, lease: HeldLease, now: number): number | null {
  const h = opts.hearing ?? (opts.hearingSince ? { kind: 'process', since: opts.hearingSince } : undefined);
  if (!h) return -Infinity;
  return h.kind === 'process' ? h.since() : hearingFromIngest(lease, now, h.windowMs);
}

/** One stateless controller step. Throws only on database failures other than a lost lease. */
export async function controllerStep(deps: StepDeps, opts: ControllerOptions): Promise<TickResult & { lease: HeldLease | null }> {
  const start = performance.now();
  const r = await stepOnce(deps, opts);
  deps.observer?.controllerStep({ seconds: secondsSince(start), leader: r.leader, events: r.events });
  return r;
}

async function stepOnce(deps: StepDeps, opts: ControllerOptions): Promise<TickResult & { lease: HeldLease | null }> {
  const timers = opts.timers ?? DEFAULT_TIMERS;
  const now = deps.clock.now();
  let lease: HeldLease | null;
  let lookText: FleetText | null = null;
  try {
    if (deps.database.remote) {
      // A libSQL server: the renewal and the cheap look in ONE request (a write batch; the server holds the lock
      // only while it runs them). In-process, the look stays outside the write lock (it takes ~15 ms at 10,000).
      const [rows, look] = await deps.database.atomic((db) => [acquireStep(db, CONTROLLER_LEASE, opts.holder, opts.leaseTtlMs ?? CONTROLLER_LEASE_TTL_MS, now), fleetStep(db)] as const);
      lease = heldLease(rows);
      lookText = fleetText(look);
    } else lease = await acquireLease(deps.database, CONTROLLER_LEASE, opts.holder, opts.leaseTtlMs ?? CONTROLLER_LEASE_TTL_MS, now);
  } catch (e) {
    // The database did not answer in time (busy beyond its budget): step down cleanly rather than act on a lease
    // that could not be renewed; the next step bids again (issue 10).
    deps.logger.warn({ err: String((e as Error)?.message ?? e) }, 'controller lease not renewed: stepping down');
    opts.onLease?.(null);
    return { ...NONE, lease: null };
  }
  opts.onLease?.(lease);
  if (!lease) return { ...NONE, lease: null };
  if (lease.leaderSince === now && lease.fingerprint === null) deps.logger.info({ epoch: lease.epoch, holder: opts.holder }, 'controller lease won: leading');
  const hearing = hearingSince(opts, lease, now);
  // Deaf: endless grace (nothing judged by silence). Hearing again: the grace counts from then.
  const leaderSince = Math.max(lease.leaderSince ?? now, hearing ?? now);
  const explain = opts.explain ?? true;
  const seed = String(lease.epoch);
  const ok = (applied: Action[] = [], events: ContainerEvent[] = []) => ({ leader: true, epoch: lease.epoch, applied, events, lease });

  const parse = (text: FleetText) => (opts.parser ? opts.parser.parse(text) : parseFleet(text));
  const planFrom = (snap: FleetSnapshot) => {
    const fp = fingerprintHash(fleetFingerprint(snap.hosts, snap.groups, now, timers));
    const changedAt = fp !== (lease.fingerprint ?? '') ? now : lease.fleetChangedAt;
    const actions = plan({ hosts: snap.hosts, groups: snap.groups, containers: snap.containers, leaderSince, fleetChangedAt: changedAt, seed, explain }, now, timers);
    return { fp, changedAt, actions, snap };
  };
  try {
    // Cheap look first: most steps change nothing and must not take the write lock.
    lookText ??= await readFleetText(deps.database.db);
    const look = planFrom(parse(lookText));
    if (!changes(look.actions)) {
      // Only a new fingerprint must be remembered (rare: a host's fitness or the groups changed).
      if (look.fp !== lease.fingerprint) {
        await fencedWrite(deps.database, CONTROLLER_LEASE, lease.epoch, (tx) => rememberFleet(tx, CONTROLLER_LEASE, lease.epoch, look.fp, look.changedAt));
      }
      return ok();
    }
    const seen = lookText;
    const result = await deps.database.write(async (tx) => {
      // Decided on what this transaction reads (it holds the write lock until commit, so no replica can fill a
      // host meanwhile): the whole snapshot is read again, as text. The plan is a pure function of the snapshot
      // (now, the grace, the fingerprint and the seed are fixed for the step), so when the text equals the look's
      // — every column the snapshot is built from, byte for byte — the look's snapshot, rows and plan ARE this
      // transaction's; only the parse and the plan are saved, never the read. Why no cheaper fingerprint
      // (count, max(updated_at)): docs/decisions.md, "Controller wiring (issue 4)".
      // The fence and the read go in one round trip; the fleet memory rides with the last writes.
      const [fence, row] = await inOneTrip(tx, [fenceStep(tx, CONTROLLER_LEASE), fleetStep(tx)]);
      checkFence(fence, CONTROLLER_LEASE, lease.epoch);
      const text = fleetText(row);
      const p = sameFleetText(text, seen) ? look : planFrom(parse(text));
      const remember = p.fp !== lease.fingerprint ? [rememberFleetStep(tx, CONTROLLER_LEASE, lease.epoch, p.fp, p.changedAt)] : [];
      return applyActions(tx, p.actions, now, p.snap.rows, remember);
    });
    for (const a of result.applied) log(deps, a);
    void publishEvents(deps, result.events); // telemetry: the step does not wait for the broker
    return ok(result.applied, result.events);
  } catch (e) {
    if (isAppError(e) && e.code === 'STALE_EPOCH') {
      deps.logger.warn({ epoch: lease.epoch }, 'controller lost its lease; its writes were refused');
      return { ...NONE, lease: null };
    }
    throw e;
  }
}

/**
 * A long-running replica's handle on the step (berth serve): it remembers only what it needs to give the lease
 * back on a clean stop and to log a lost lease once — nothing the step decides on.
 */
export class Controller {
  private lease: HeldLease | null = null;
  private readonly parser = new FleetParser();
  readonly timers: Timers;

  constructor(private readonly deps: StepDeps, private readonly opts: ControllerOptions) {
    this.timers = opts.timers ?? DEFAULT_TIMERS;
  }

  get epoch(): number | null {
    return this.lease?.epoch ?? null;
  }

  async tick(): Promise<TickResult> {
    const previous = this.lease;
    // The lease is known from the moment the step holds it: anything that asks this.epoch during the step's writes
    // (the simulation's stale-epoch invariant) sees the epoch those writes are fenced by.
    const { lease, ...result } = await controllerStep(this.deps, { ...this.opts, timers: this.timers, parser: this.parser, onLease: (l) => { this.lease = l; this.opts.onLease?.(l); } });
    if (previous && !lease) this.deps.logger.info({ epoch: previous.epoch }, 'controller lease lost to another replica');
    this.lease = lease;
    return result;
  }

  /** Gives the lease up (clean shutdown) so another replica need not wait out the TTL. */
  async release(): Promise<void> {
    const l = this.lease;
    this.lease = null;
    if (l) await releaseLease(this.deps.database, CONTROLLER_LEASE, this.opts.holder, l.epoch).catch(() => false);
  }
}

function log(deps: StepDeps, a: Action): void {
  if (a.type === 'place') deps.logger.info({ containerId: a.containerId, hostId: a.hostId }, a.reason);
  else if (a.type === 'reschedule') deps.logger.info({ containerId: a.containerId, from: a.from, to: a.to }, a.reason);
  else if (a.type === 'setDown') deps.logger.warn({ containerId: a.containerId, from: a.from }, a.reason);
  else if (a.type === 'hostDead' || a.type === 'markHostBad' || a.type === 'clearHostBad') deps.logger.info({ hostId: a.hostId, action: a.type }, a.reason);
}
