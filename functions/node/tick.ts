// The control plane's periodic work on Node (every 250 ms): silent hosts → dead, interim placement, the outbox
// relay. One pass at a time; a failing step is logged and the next pass tries again.
import type { Deps } from '../deps';
import { HOST_DEAD_AFTER_MS, markSilentHostsDead } from '../ingest/liveness';
import { placeContainers } from '../placement/apply';
import { runRelay } from '../relay/relay';

export interface TickOptions {
  intervalMs?: number;
  hostDeadAfterMs?: number;
}

export interface Ticker {
  /** Runs a pass now (or waits for the running one and then runs another). */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

export function startTick(deps: Deps, opts: TickOptions = {}): Ticker {
  const intervalMs = opts.intervalMs ?? 250;
  const deadAfter = opts.hostDeadAfterMs ?? HOST_DEAD_AFTER_MS;
  // DESIGN section 6: a control plane that has just started gives every host one hostDeadAfter to report before
  // judging it silent — its lastSeenAt is as old as the outage of the control plane, not of the host.
  const judgeFrom = deps.clock.now() + deadAfter;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();

  const step = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      deps.logger.error({ step: name, err: String((e as Error)?.stack ?? e) }, 'control-plane tick step failed');
    }
  };

  const pass = async () => {
    if (deps.clock.now() >= judgeFrom) {
      await step('liveness', async () => {
        const dead = await markSilentHostsDead(deps, deadAfter);
        if (dead.length > 0) deps.logger.info({ hosts: dead }, 'silent hosts marked dead');
      });
    }
    await step('placement', async () => {
      for (const p of await placeContainers(deps)) deps.logger.info({ ...p }, p.from ? 'container moved' : 'container placed');
    });
    await step('relay', () => runRelay(deps));
  };

  const kick = () => {
    running = running.then(pass);
    return running;
  };
  const loop = () => {
    if (stopped) return;
    void kick().then(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();

  return {
    kick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
