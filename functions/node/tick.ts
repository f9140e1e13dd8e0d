// The control plane's periodic work on Node (every 250 ms), as two independent loops so a slow broker cannot hold
// up liveness: (1) the leased controller (functions/controller/tick.ts: silence → dead, failover, placement, under
// its epoch, then the drains under the same epoch; a replica that is not the leader only bids); (2) the outbox relay (every replica: it
// publishes what any writer marked dirty). Each loop runs one pass at a time; a failing step is logged and retried.
import { hostname } from 'node:os';
import type { Deps } from '../deps';
import { Controller } from '../controller/tick';
import { timersFor, type Timers } from '../controller/types';
import { drainTick } from '../services/hosts/drain';
import { runRelay } from '../relay/relay';
import type { LivenessGate } from '../ingest/liveness-gate';

export interface TickOptions {
  intervalMs?: number;
  /**
   * Since when this process hears the hosts (connected to the broker); null = it cannot. A control plane that
   * cannot hear the hosts, or has heard them for less than hostDeadAfter (DESIGN section 6: hosts get one
   * chance to report), must not declare them dead. Default: always could.
   */
  hearingSince?: () => number | null;
  /** The controller's lease holder name (default: host name, pid and a random suffix). */
  holder?: string;
  timers?: Partial<Timers>;
  /**
   * Told every step whether this replica holds the controller lease (ingest applies liveness only then:
   * functions/ingest/liveness-gate.ts); its gap-free span also bounds the hearing the grace counts from.
   */
  liveness?: LivenessGate;
}

export interface Ticker {
  /** Runs a pass of both loops now (after the running ones); resolves when both are done. */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

interface Loop {
  kick(): Promise<void>;
  stop(): Promise<void>;
}

function loop(intervalMs: number, pass: () => Promise<void>): Loop {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  const kick = () => (running = running.then(pass));
  const next = () => {
    if (stopped) return;
    void kick().then(() => {
      if (!stopped) timer = setTimeout(next, intervalMs);
    });
  };
  next();
  return {
    kick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export function startTick(deps: Deps, opts: TickOptions = {}): Ticker {
  const intervalMs = opts.intervalMs ?? 250;
  // The deployment's timers (BERTH_HOST_DEAD_AFTER_MS), then what a test or benchmark overrides.
  const timers: Timers = { ...timersFor(deps.config), ...opts.timers };
  const holder = opts.holder ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const gate = opts.liveness;
  // With a gate, this replica hears the hosts (writes their sightings) only while both it is connected and its gate
  // is open: a gate that opens again starts the grace again (ingest-spread.test.ts, the frozen leader).
  const hearingSince = gate ? () => {
    const broker = opts.hearingSince ? opts.hearingSince() : -Infinity;
    const own = gate.hearingSince();
    return broker === null || own === null ? null : Math.max(broker, own);
  } : opts.hearingSince;
  const controller = new Controller(deps, {
    holder, timers, hearingSince,
    // Told as soon as the step's acquire answers, before it plans: liveness flows from the moment the lease is held.
    onLease: gate ? (l) => gate.answered(l?.epoch ?? null, performance.now()) : undefined,
  });
  const step = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      deps.logger.error({ step: name, err: String((e as Error)?.stack ?? e) }, 'control-plane tick step failed');
    }
  };

  const fleet = loop(intervalMs, async () => {
    let epoch: number | null = null;
    await step('controller', async () => {
      epoch = (await controller.tick()).epoch;
      // A step that lost its lease while writing (STALE_EPOCH) says so only in its result.
      if (epoch === null) gate?.answered(null, performance.now());
    });
    // Drains move containers at the leader's pace, fenced by the same epoch (functions/services/hosts/drain.ts).
    if (epoch !== null) await step('drain', () => drainTick(deps, epoch!, timers));
  });
  const relay = loop(intervalMs, () => step('relay', () => runRelay(deps)));

  return {
    kick: async () => { await Promise.all([fleet.kick(), relay.kick()]); },
    stop: async () => {
      await Promise.all([fleet.stop(), relay.stop()]);
      // A clean stop hands over at once instead of after the lease TTL.
      gate?.answered(null, performance.now());
      await controller.release();
    },
  };
}
