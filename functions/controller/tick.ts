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
import { parseFleet, readFleetText, sameFleetText, type FleetSnapshot } from './snapshot';
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

    const planFrom = (snap: FleetSnapshot) => {
      const fp = fleetFingerprint(snap.hosts, snap.groups, now, this.timers);
      const changedAt = fp !== this.fingerprint ? now : this.fleetChangedAt;
      const actions = plan({ hosts: snap.hosts, groups: snap.groups, containers: snap.containers, leaderSince, fleetChangedAt: changedAt, seed, explain }, now, this.timers);
      return { fp, changedAt, actions, snap };
    };
    // Cheap look first: most ticks change nothing and must not take the write lock.
    const lookText = await readFleetText(this.deps.database.db);
    const look = planFrom(parseFleet(lookText));
    if (!changes(look.actions)) {
      this.fingerprint = look.fp;
      this.fleetChangedAt = look.changedAt;
      return { leader: true, epoch: lease.epoch, applied: [], events: [] };
    }
    try {
      const result = await fencedWrite(this.deps.database, CONTROLLER_LEASE, lease.epoch, async (tx) => {
        // Decided on what this transaction reads (it holds the write lock until commit, so no replica can fill a
        // host meanwhile): the whole snapshot is read again, as text. The plan is a pure function of the snapshot
        // (now, the grace, the fingerprint and the seed are fixed for the tick), so when the text equals the look's
        // — every column the snapshot is built from, byte for byte — the look's snapshot, rows and plan ARE this
        // transaction's; only the parse and the plan are saved, never the read. Why no cheaper fingerprint
        // (count, max(updated_at)): docs/decisions.md, "Controller wiring (issue 4)".
        const text = await readFleetText(tx);
        const p = sameFleetText(text, lookText) ? look : planFrom(parseFleet(text));
        return { ...p, applied: await applyActions(tx, p.actions, now, p.snap.rows) };
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
    let lease: Lease | null;
    try {
      lease = await acquireLease(this.deps.database, CONTROLLER_LEASE, this.opts.holder, this.opts.leaseTtlMs ?? 2000);
    } catch (e) {
      // The database did not answer in time (busy beyond its budget): step down cleanly rather than act on a
      // lease we could not renew. Winning it again starts a new leadership, with its grace (issue 10).
      if (this.lease) this.deps.logger.warn({ epoch: previous, err: String((e as Error)?.message ?? e) }, 'controller lease not renewed: stepping down');
      this.lease = null;
      return null;
    }
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
