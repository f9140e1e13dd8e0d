// The leader loop's one step (runtime-neutral; Node calls it every 250 ms, Workers could on each batch/cron):
// hold or take the 'controller' lease, then plan over a snapshot and apply the actions in ONE fenced
// transaction. A replica that is not the leader does nothing; a stale leader's transaction fails with
// STALE_EPOCH and changes nothing; a new epoch makes this replica a new leader (grace before judging silence).
import type { Deps } from '../deps';
import { CONTROLLER_LEASE } from '../relay/relay';
import { isAppError } from '../../shared/errors';
import { topics } from '../../shared/protocol/topics';
import { applyActions, type ContainerEvent } from './apply';
import { fleetFingerprint } from './fleet';
import { acquireLease, fencedWrite, releaseLease, type Lease } from './lease';
import { plan } from './plan';
import { readFleetSnapshot } from './snapshot';
import { DEFAULT_TIMERS, type Action, type Timers } from './types';

export interface ControllerOptions {
  /** Who this replica is in the lease row (unique per process). */
  holder: string;
  timers?: Timers;
  leaseTtlMs?: number;
  renewEveryMs?: number;
  /**
   * Since when this process can hear the agents (connected to the broker); null = it cannot. Silence is
   * judged only after hearing for hostDeadAfter (DESIGN section 6: hosts get one chance to report).
   * Default: always could.
   */
  hearingSince?: () => number | null;
  /** false: decisions name only the chosen host (big fleets). Default true. */
  explain?: boolean;
}

export interface TickResult {
  leader: boolean;
  epoch: number | null;
  /** Actions that changed something this tick. */
  applied: Action[];
  events: ContainerEvent[];
}

const changes = (actions: readonly Action[]) => actions.some((a) => a.type !== 'noop');

type Snapshot = Awaited<ReturnType<typeof readFleetSnapshot>>;

/** Plain data (rows, arrays, records) equal in every value; arrays also in order. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    if (a.length !== bs.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], bs[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const k of keys) if (!Object.hasOwn(y, k) || !same(x[k], y[k])) return false;
  return true;
}

/** Everything the plan reads is equal: the look's plan is then the plan of this snapshot too. */
const sameFleet = (a: Snapshot, b: Snapshot) => same(a.hosts, b.hosts) && same(a.containers, b.containers) && same(a.groups, b.groups);

export class Controller {
  private lease: Lease | null = null;
  private renewedAt = -Infinity;
  private leaderSince = 0;
  private fingerprint = '';
  private fleetChangedAt: number | null = null;
  readonly timers: Timers;

  constructor(private readonly deps: Pick<Deps, 'database' | 'clock' | 'logger' | 'publisher'>, private readonly opts: ControllerOptions) {
    this.timers = opts.timers ?? DEFAULT_TIMERS;
  }

  get epoch(): number | null {
    return this.lease?.epoch ?? null;
  }

  async tick(): Promise<TickResult> {
    const none: TickResult = { leader: false, epoch: null, applied: [], events: [] };
    const lease = await this.holdLease();
    if (!lease) return none;
    const now = this.deps.clock.now();
    const hearing = this.opts.hearingSince ? this.opts.hearingSince() : -Infinity;
    // Deaf: endless grace (nothing judged by silence). Hearing again: the grace counts from then.
    const leaderSince = Math.max(this.leaderSince, hearing ?? now);
    const explain = this.opts.explain ?? true;
    const seed = String(lease.epoch);

    const planFrom = async (snap: Snapshot) => {
      const fp = fleetFingerprint(snap.hosts, snap.groups, now, this.timers);
      const changedAt = fp !== this.fingerprint ? now : this.fleetChangedAt;
      const actions = plan({ hosts: snap.hosts, groups: snap.groups, containers: snap.containers, leaderSince, fleetChangedAt: changedAt, seed, explain }, now, this.timers);
      return { fp, changedAt, actions, snap };
    };
    // Cheap look first: most ticks change nothing and must not take the write lock.
    const look = await planFrom(await readFleetSnapshot(this.deps.database.db));
    if (!changes(look.actions)) {
      this.fingerprint = look.fp;
      this.fleetChangedAt = look.changedAt;
      return { leader: true, epoch: lease.epoch, applied: [], events: [] };
    }
    try {
      const result = await fencedWrite(this.deps.database, CONTROLLER_LEASE, lease.epoch, async (tx) => {
        // Planned on what the transaction sees: the look may be stale by now. The plan is a pure function of the
        // snapshot (and of now, the grace and the fingerprint, unchanged here), so an identical snapshot reuses it.
        const snap = await readFleetSnapshot(tx);
        const p = sameFleet(snap, look.snap) ? look : await planFrom(snap);
        return { ...p, applied: await applyActions(tx, p.actions, now, snap.rows) };
      });
      this.fingerprint = result.fp;
      this.fleetChangedAt = result.changedAt;
      for (const a of result.applied.applied) this.log(a);
      this.publish(result.applied.events);
      return { leader: true, epoch: lease.epoch, applied: result.applied.applied, events: result.applied.events };
    } catch (e) {
      if (isAppError(e) && e.code === 'STALE_EPOCH') {
        this.deps.logger.warn({ epoch: lease.epoch }, 'controller lost its lease; its writes were refused');
        this.lease = null;
        return none;
      }
      throw e;
    }
  }

  /** Renews every renewEveryMs; a different epoch than last time (taken over, or ours lapsed) starts a new leadership. */
  private async holdLease(): Promise<Lease | null> {
    const now = this.deps.clock.now();
    if (this.lease && now - this.renewedAt < (this.opts.renewEveryMs ?? 500)) return this.lease;
    const previous = this.lease?.epoch ?? null;
    const lease = await acquireLease(this.deps.database, CONTROLLER_LEASE, this.opts.holder, this.opts.leaseTtlMs ?? 2000);
    this.renewedAt = now;
    if (!lease) {
      if (this.lease) this.deps.logger.info({ epoch: previous }, 'controller lease lost to another replica');
      this.lease = null;
      return null;
    }
    if (lease.epoch !== previous) {
      // A new leader adopts placements as they are and gives hosts one hostDeadAfter before judging silence.
      this.leaderSince = now;
      this.fingerprint = '';
      this.fleetChangedAt = null;
      this.deps.logger.info({ epoch: lease.epoch, holder: this.opts.holder }, 'controller lease won: leading');
    }
    this.lease = lease;
    return lease;
  }

  /** Gives the lease up (clean shutdown) so another replica need not wait out the TTL. */
  async release(): Promise<void> {
    const l = this.lease;
    this.lease = null;
    if (l) await releaseLease(this.deps.database, CONTROLLER_LEASE, this.opts.holder, l.epoch).catch(() => false);
  }

  private log(a: Action): void {
    if (a.type === 'place') this.deps.logger.info({ containerId: a.containerId, hostId: a.hostId }, a.reason);
    else if (a.type === 'reschedule') this.deps.logger.info({ containerId: a.containerId, from: a.from, to: a.to }, a.reason);
    else if (a.type === 'setDown') this.deps.logger.warn({ containerId: a.containerId, from: a.from }, a.reason);
    else if (a.type === 'hostDead' || a.type === 'markHostBad' || a.type === 'clearHostBad') this.deps.logger.info({ hostId: a.hostId, action: a.type }, a.reason);
  }

  /** Telemetry, best effort (QoS 0): the durable record is container_events. */
  private publish(events: readonly ContainerEvent[]): void {
    for (const e of events) {
      const payload = JSON.stringify({ v: 1, at: e.at, type: e.type, containerId: e.containerId, hostId: e.hostId, reason: e.reason });
      void this.deps.publisher.publish(topics.events, payload, { qos: 0, retain: false }).catch(() => undefined);
    }
  }
}
