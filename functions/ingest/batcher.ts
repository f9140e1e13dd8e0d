// The ingest front door (runtime-neutral): raw agent messages in, validated and applied in batches — one write
// transaction per batch, collected for a few milliseconds. Fed by the Node MQTT subscriber (or, on Workers, by a
// broker webhook). Malformed or unauthorised messages are dropped and counted here and never reach the database.
import type { Deps } from '../deps';
import { classify, type AgentMessage, type IngestDropReason } from './classify';
import { applyHostMessages, type HostMessage } from './hosts';
import { applyStatusReports } from './status';
import { failoverDurations } from './failover';
import type { StatusMessage, TunnelTelemetry } from '../../shared/protocol/messages';
import { recordHearing } from '../controller/hearing';
import { secondsSince } from '../observe';
import { publishTunnelTelemetry } from './telemetry';
import { isLivenessTopic } from './liveness-gate';
import { CONTROLLER_LEASE } from '../relay/fence';
import { fenceHolds, fenceStep } from '../controller/lease';

export interface IngestOptions {
  /** How long the first message of a batch waits for company (default 20 ms). */
  maxDelayMs?: number;
  /** A batch is written at once when it holds this many messages (default 2000). */
  maxBatch?: number;
  /**
   * Messages held at most (queued plus in batches waiting for the writer; default 20,000): beyond that, while
   * the database cannot keep up, new messages are dropped and counted as queue_full (agents repeat heartbeats
   * and status, so a dropped one is replaced by the next).
   */
  maxQueued?: number;
  /**
   * Several replicas on an external broker: presence and heartbeats are applied only under the controller lease
   * this gate names (./liveness-gate.ts); without it (the embedded broker, Workers) every one is applied.
   */
  liveness?: { epoch(): number | null };
}

/** retained: a replayed retained heartbeat or status (only desired and presence may be retained; issue 9). */
export type IngestDropCause = IngestDropReason | 'queue_full' | 'retained';

export interface IngestStats {
  received: number;
  applied: number;
  dropped: Record<IngestDropCause, number>;
  /** Status reports about containers not placed on the reporting host (or for an old placement). */
  staleReports: number;
  /** Presence and heartbeats heard but not applied: this replica does not hold the controller lease. */
  leftToLeader: number;
  batches: number;
  failedBatches: number;
}

export class IngestBatcher {
  private queue: AgentMessage[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> = Promise.resolve();
  /** Accepted messages not yet written (queued, or in a batch waiting for the writer). */
  private held = 0;
  private readonly counts: IngestStats = {
    received: 0, applied: 0, staleReports: 0, leftToLeader: 0, batches: 0, failedBatches: 0,
    dropped: { bad_topic: 0, empty: 0, too_large: 0, invalid_json: 0, invalid_schema: 0, host_mismatch: 0, queue_full: 0, retained: 0 },
  };

  /** When the oldest message of the current queue was accepted (performance.now()). */
  private queuedSince = 0;

  /** With a publisher, accepted tunnel reports are republished for telemetry consumers (./telemetry.ts). */
  constructor(private readonly deps: Pick<Deps, 'database' | 'clock' | 'logger' | 'observer'> & Partial<Pick<Deps, 'publisher'>>, private readonly opts: IngestOptions = {}) {}

  /** Accepts one raw message; never throws. */
  offer(topic: string, payload: Uint8Array | string, o: { retained?: boolean } = {}): void {
    this.counts.received++;
    // A broker that kept a retained heartbeat (Mosquitto cannot refuse the flag) replays it on every subscribe: it
    // would revive a dead host. Only presence is meant to be retained among the agents' topics.
    if (o.retained && !topic.endsWith('/presence')) {
      this.counts.dropped.retained++;
      return;
    }
    // Before decoding: a replica that does not lead drops liveness at the cost of a string compare.
    if (this.opts.liveness && isLivenessTopic(topic) && this.opts.liveness.epoch() === null) {
      this.counts.leftToLeader++;
      return;
    }
    const c = classify(topic, payload);
    if (!c.ok) {
      this.counts.dropped[c.reason]++;
      // The detail names paths and reasons only, never payload values.
      this.deps.logger.debug({ topic: topic.slice(0, 200), reason: c.reason, detail: c.detail }, 'agent message dropped');
      return;
    }
    if (this.held >= (this.opts.maxQueued ?? 20_000)) {
      this.counts.dropped.queue_full++;
      return;
    }
    this.held++;
    if (this.queue.length === 0) this.queuedSince = performance.now();
    this.queue.push(c.msg);
    if (this.queue.length >= (this.opts.maxBatch ?? 2000)) this.schedule(0);
    else if (!this.timer) this.schedule(this.opts.maxDelayMs ?? 20);
  }

  /** Messages held now (bounded by maxQueued). */
  queued(): number {
    return this.held;
  }

  stats(): IngestStats {
    return { ...this.counts, dropped: { ...this.counts.dropped } };
  }

  /** Writes everything queued so far; resolves when it is committed (or failed and was logged). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    const since = this.queuedSince;
    if (batch.length > 0) this.running = this.running.then(() => this.write(batch, since));
    return this.running;
  }

  private schedule(ms: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
  }

  private async write(batch: AgentMessage[], queuedSince: number): Promise<void> {
    try {
      // Asked again at write time: a batch held while the replica was frozen must not apply liveness late.
      const livenessEpoch = this.opts.liveness ? this.opts.liveness.epoch() : undefined;
      const result = await applyAgentBatch(this.deps, batch, { livenessEpoch });
      this.deps.observer?.ingestBatch({ lagSeconds: secondsSince(queuedSince), messages: batch.length });
      for (const ms of result.failovers) this.deps.observer?.failover(ms / 1000);
      this.counts.batches++;
      this.counts.applied += batch.length - result.leftToLeader;
      this.counts.leftToLeader += result.leftToLeader;
      this.counts.staleReports += result.staleReports;
      if (this.deps.publisher) publishTunnelTelemetry(this.deps.publisher, result.telemetry, this.deps.logger);
      if (result.died.length > 0) this.deps.logger.info({ hosts: result.died }, 'hosts went offline');
      if (result.created.length > 0) this.deps.logger.info({ hosts: result.created }, 'hosts registered');
      for (const f of result.fence) {
        // A conflict is an operator's problem (two control planes on one broker): loud, and nothing is changed.
        const log = f.kind === 'conflict' || f.kind === 'implausible' ? this.deps.logger.error.bind(this.deps.logger) : this.deps.logger.warn.bind(this.deps.logger);
        log({ hostId: f.hostId, fence: f.kind, detail: f.detail }, f.kind === 'conflict'
          ? 'host follows another control-plane database; not taking it back (docs/decisions.md, issue 10)'
          : f.kind === 'implausible' ? 'fencing mark dropped' : 'host refuses our documents: publishing its next one above its fencing mark');
      }
    } catch (e) {
      // A failed batch is lost (agents repeat heartbeats and status); the process keeps going.
      this.counts.failedBatches++;
      this.deps.logger.error({ err: String((e as Error)?.message ?? e), messages: batch.length }, 'ingest batch failed');
    } finally {
      this.held -= batch.length;
    }
  }
}

export interface BatchResult {
  created: string[];
  died: string[];
  /** Status reports about containers not placed on the reporting host (or for an old placement). */
  staleReports: number;
  /** Fencing events of the batch, per host (restore, takeover, conflict, implausible mark): functions/ingest/hosts.ts. */
  fence: { hostId: string; kind: string; detail: string }[];
  /** With hearing: how long the controller lease has left (null: no lease row yet). */
  leaseLeftMs: number | null;
  /** Failovers completed by this batch (a moved container RUNNING again), in ms since the dead host was heard. */
  failovers: number[];
  /** Accepted tunnel reports, for telemetry consumers. */
  telemetry: TunnelTelemetry[];
  /** Presence and heartbeats not applied: their lease (livenessEpoch) is not the current one. */
  leftToLeader: number;
}

/**
 * Applies classified agent messages in ONE write transaction (the Node subscriber's batches and the HTTP ingest's
 * alike). With `hearing`, the same transaction stamps the controller lease row (functions/controller/hearing.ts):
 * how a Worker knows the agents are heard. Throws when the transaction fails (nothing applied).
 */
export async function applyAgentBatch(
  deps: Pick<Deps, 'database' | 'clock'>, batch: readonly AgentMessage[],
  opts: { hearing?: { lease: string; windowMs: number }; livenessEpoch?: number | null } = {},
): Promise<BatchResult> {
  const byHost = new Map<string, HostMessage[]>();
  const latestStatus = new Map<string, StatusMessage>();
  for (const m of batch) {
    // Each status message is the host's complete list: only the newest one of a batch matters.
    if (m.kind === 'status') latestStatus.set(m.hostId, m.value);
    else (byHost.get(m.hostId) ?? byHost.set(m.hostId, []).get(m.hostId)!).push(m as HostMessage);
  }
  return deps.database.write(async (tx) => {
    const now = deps.clock.now();
    // With livenessEpoch, presence and heartbeats are applied only if that epoch still holds the lease, judged in
    // this transaction like every controller write: one replica's writes count at any moment.
    const holds = opts.livenessEpoch === undefined || byHost.size === 0
      || (opts.livenessEpoch !== null && fenceHolds(await fenceStep(tx, CONTROLLER_LEASE), opts.livenessEpoch));
    const leftToLeader = holds ? 0 : batch.filter((m) => m.kind !== 'status').length;
    const hostResult = await applyHostMessages(tx, holds ? byHost : new Map(), now);
    const status = await applyStatusReports(tx, latestStatus, now);
    const failovers = await failoverDurations(tx, status.recovered, now);
    const heard = opts.hearing ? await recordHearing(tx, opts.hearing.lease, now, opts.hearing.windowMs) : { leaseLeftMs: null };
    return { created: hostResult.created, died: hostResult.died, fence: hostResult.fence, staleReports: status.ignored, leaseLeftMs: heard.leaseLeftMs, failovers, telemetry: status.telemetry, leftToLeader };
  });
}
