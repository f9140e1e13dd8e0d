// The serverless control plane's "hand on" (DESIGN section 1, runtime-neutral): after an API write, an ingest
// batch or the cron sweep, one controller step (lease, health, timeouts, failover), the drains under the same
// epoch, then the relay (dirty hosts → retained desired documents). Stateless: everything it needs is in the
// database, so any invocation may run it, twice at once or never again in this isolate.
import type { Deps, Publisher } from '../deps';
import { controllerStep } from '../controller/tick';
import { timersFor, type Timers } from '../controller/types';
import { drainTick } from '../services/hosts/drain';
import { runRelay, type RelayResult } from '../relay/relay';

/** The lease holder of every invocation of one deployment: they are one controller (docs/decisions.md, issue 8). */
export const WORKER_HOLDER = 'berth-workers';

export interface PipelineOptions {
  /** Overrides of the deployment's timers (tests); the rest come from its config, as on berth serve. */
  timers?: Partial<Timers>;
  /**
   * Lease TTL on Workers: longer than the cron interval (60 s), so a deployment with no events keeps its epoch
   * (a new epoch would restart the leader grace at every sweep). Default 90 s.
   */
  leaseTtlMs?: number;
  /** The hearing window (default hostDeadAfter / 2; functions/controller/hearing.ts). */
  hearingWindowMs?: number;
  /** How often at most heartbeat-only ingest starts a step (default 250 ms, as berth serve ticks). */
  stepEveryMs?: number;
}

/**
 * The pass's settings for a deployment: DESIGN's timers with its BERTH_HOST_DEAD_AFTER_MS (timersFor, the same rule
 * as berth serve's tick), then what a caller overrides. The hearing window follows hostDeadAfter.
 */
export const pipelineDefaults = (config: { hostDeadAfterMs?: number } | undefined, o: PipelineOptions = {}) => {
  const timers: Timers = { ...timersFor(config), ...o.timers };
  return { timers, leaseTtlMs: o.leaseTtlMs ?? 90_000, hearingWindowMs: o.hearingWindowMs ?? Math.floor(timers.hostDeadAfter / 2), stepEveryMs: o.stepEveryMs ?? 250 };
};

export interface PipelineResult {
  leader: boolean;
  epoch: number | null;
  applied: number;
  relay: RelayResult | null;
  /** HTTP requests to the database this run made (0 on a file database). */
  roundTrips: number;
  /** Per stage: wall time in ms and database round trips (where a pass's time goes; BENCHMARKS.md, worker). */
  stages: Record<string, { ms: number; trips: number }>;
  errors: string[];
}

/**
 * One pass. `publisher` null: no broker configured — the relay is skipped and the marks stay (never "published"
 * into nothing). Each stage's failure is logged and the next stage still runs.
 */
export async function runPipeline(deps: Omit<Deps, 'publisher'>, publisher: Publisher | null, opts: PipelineOptions = {}): Promise<PipelineResult> {
  const o = pipelineDefaults(deps.config, opts);
  const d: Deps = { ...deps, publisher: publisher ?? { publish: async () => undefined } };
  const before = deps.database.roundTrips.total;
  const out: PipelineResult = { leader: false, epoch: null, applied: 0, relay: null, roundTrips: 0, stages: {}, errors: [] };
  const stage = async (name: string, fn: () => Promise<void>) => {
    const t0 = Date.now();
    const trips0 = deps.database.roundTrips.total;
    try {
      await fn();
    } catch (e) {
      out.errors.push(`${name}: ${String((e as Error)?.message ?? e)}`);
      deps.logger.error({ step: name, err: String((e as Error)?.stack ?? e) }, 'pipeline step failed');
    } finally {
      out.stages[name] = { ms: Date.now() - t0, trips: deps.database.roundTrips.total - trips0 };
    }
  };
  await stage('controller', async () => {
    const r = await controllerStep(d, { holder: WORKER_HOLDER, timers: o.timers, leaseTtlMs: o.leaseTtlMs, hearing: { kind: 'ingest', windowMs: o.hearingWindowMs } });
    out.leader = r.leader;
    out.epoch = r.epoch;
    out.applied = r.applied.length;
  });
  if (out.epoch !== null) await stage('drain', async () => { await drainTick(d, out.epoch!, o.timers); });
  if (publisher) await stage('relay', async () => { out.relay = await runRelay(d); });
  else deps.logger.warn({}, 'BERTH_MQTT_URL is not set: desired documents stay queued until a broker is configured');
  out.roundTrips = deps.database.roundTrips.total - before;
  return out;
}

/** Whether an ingest batch should start a pass: a host went offline, or no step ran for stepEveryMs. */
export function ingestStartsPipeline(outcome: { offline: number; leaseLeftMs: number | null }, opts: PipelineOptions = {}): boolean {
  const o = pipelineDefaults(undefined, opts);
  if (outcome.offline > 0 || outcome.leaseLeftMs === null) return true;
  // Each step renews the lease to the full TTL: what is left tells how long ago the last step ran.
  return outcome.leaseLeftMs < o.leaseTtlMs - o.stepEveryMs;
}
