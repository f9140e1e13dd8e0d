// Who writes liveness when several replicas share an external broker (docs/decisions.md, "Liveness applied once").
// Every replica HEARS every host's presence and heartbeats (a frozen replica must not swallow a host's liveness:
// issue 10), but only the replica holding the controller lease WRITES them; the others drop them before decoding.
// The leader is the one that judges silence, so the hosts' last sightings are its own hearing; each message is
// applied once. The decision is pure (below); LivenessGate only keeps the last answer of the controller's step.
//
// Why a new leader misses nothing: it declares no host dead by silence before one hostDeadAfter has passed since
// it took the lease (DESIGN §6) AND since its gate opened (`hearingSince`, fed into that same grace), and it
// applies every heartbeat from the moment its step holds the lease — so a live host heartbeating every 500 ms has
// a fresh sighting of the new leader's own long before the grace ends.

/** What a replica knows of its lease, from its last controller step. */
export interface LeaseView {
  epoch: number;
  /** Monotonic ms when a controller step's acquire answered that this replica holds the lease. */
  confirmedAt: number;
  /** Wall-clock ms since when this replica has applied liveness without a gap (for the grace). */
  openSince: number;
}

/**
 * Whether the replica applies liveness at monotonic `now`: for one TTL after the last confirmation. This is the
 * cheap filter; the authority is the fence in the write transaction (functions/ingest/batcher.ts), judged on the
 * database clock, so a confirmation that reached the event loop late cannot make stale writes count. (Counting
 * from the step's start instead closed the gate for good whenever the acquire waited behind ingest batches for
 * longer than a TTL — a loaded machine.) A replica frozen past the TTL drops what piled up while it slept.
 */
export function appliesLiveness(view: LeaseView | null, now: number, ttlMs: number): boolean {
  return view !== null && now - view.confirmedAt < ttlMs;
}

/**
 * The view after a step's answer: holding `epoch` (the step started at monotonic `startedAt`, answered at `now`,
 * wall clock `wallNow`), or not holding (null: lost, another holder, or the database did not answer).
 * The gap-free span (openSince) goes on only for the same epoch without a moment closed in between.
 */
export function afterStep(view: LeaseView | null, epoch: number | null, startedAt: number, now: number, wallNow: number, ttlMs: number): LeaseView | null {
  if (epoch === null) return null;
  const continuous = view !== null && view.epoch === epoch && appliesLiveness(view, now, ttlMs);
  return { epoch, confirmedAt: startedAt, openSince: continuous ? view.openSince : wallNow };
}

/** The thin stateful holder the Node tick feeds and the ingest batcher asks. */
export class LivenessGate {
  private view: LeaseView | null = null;

  constructor(
    private readonly ttlMs: number,
    private readonly wall: () => number,
    private readonly mono: () => number = () => performance.now(),
  ) {}

  /** A controller step that started at monotonic `startedAt` holds the lease at `epoch` (null: it does not). */
  answered(epoch: number | null, startedAt: number): void {
    this.view = afterStep(this.view, epoch, startedAt, this.mono(), this.wall(), this.ttlMs);
  }

  /** The epoch whose lease this replica applies liveness under now, or null (the message is left to the leader). */
  epoch(): number | null {
    return appliesLiveness(this.view, this.mono(), this.ttlMs) ? this.view!.epoch : null;
  }

  /** Since when (wall clock) this replica has applied liveness without a gap; null while it does not. */
  hearingSince(): number | null {
    return this.epoch() === null ? null : this.view!.openSince;
  }
}

/** A message the gate decides on (checked on the raw topic: the cheap drop comes before any decoding). */
export const isLivenessTopic = (topic: string) => topic.endsWith('/heartbeat') || topic.endsWith('/presence');
