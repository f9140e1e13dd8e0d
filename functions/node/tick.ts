// The control plane's periodic work on Node (every 250 ms), as two independent loops so a slow broker cannot hold
// up liveness: (1) silent hosts → dead, then interim placement; (2) the outbox relay. Each loop runs one pass at a
// time; a failing step is logged and the next pass tries again.
import type { Deps } from '../deps';
import { HOST_DEAD_AFTER_MS, markSilentHostsDead } from '../ingest/liveness';
import { placeContainers } from '../placement/apply';
import { runRelay } from '../relay/relay';

export interface TickOptions {
  intervalMs?: number;
  hostDeadAfterMs?: number;
  /**
   * Whether silence can be judged now. A control plane that cannot hear the hosts (not connected to the broker,
   * or connected for less than hostDeadAfter — DESIGN section 6: hosts get one chance to report) must not
   * declare them dead. Default: always.
   */
  canJudgeSilence?: () => boolean;
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
  const deadAfter = opts.hostDeadAfterMs ?? HOST_DEAD_AFTER_MS;
  const canJudge = opts.canJudgeSilence ?? (() => true);
  const step = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      deps.logger.error({ step: name, err: String((e as Error)?.stack ?? e) }, 'control-plane tick step failed');
    }
  };

  const fleet = loop(intervalMs, async () => {
    if (canJudge()) {
      await step('liveness', async () => {
        const dead = await markSilentHostsDead(deps, deadAfter);
        if (dead.length > 0) deps.logger.info({ hosts: dead }, 'silent hosts marked dead');
      });
    }
    await step('placement', async () => {
      for (const p of await placeContainers(deps)) deps.logger.info({ ...p }, p.from ? 'container moved' : 'container placed');
    });
  });
  const relay = loop(intervalMs, () => step('relay', () => runRelay(deps)));

  return {
    kick: async () => { await Promise.all([fleet.kick(), relay.kick()]); },
    stop: async () => { await Promise.all([fleet.stop(), relay.stop()]); },
  };
}
