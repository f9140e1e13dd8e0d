// The reconcile loop: one run at a time; a trigger during a run causes exactly one more run after it;
// a periodic run for health; exponential backoff when a run fails.

export interface RunResult {
  /** Some work is waiting for a retry: run again after this many ms (if nothing triggers sooner). */
  retryInMs?: number;
}

export interface LoopOptions {
  run: () => Promise<RunResult>;
  /** Periodic run (health checks and level-triggered repair), e.g. 1000 ms. */
  intervalMs: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A run threw: what happened and when the next attempt is. */
  onError?: (error: unknown, retryInMs: number) => void;
}

export class ReconcileLoop {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private inFlight: Promise<void> | null = null;
  private dirty = false;
  private failures = 0;
  private stopped = true;
  /** Runs completed (successful or not); for tests and metrics. */
  runs = 0;

  constructor(private readonly opts: LoopOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Something changed (desired state, connection, a fault): reconcile soon — never two runs at once. */
  trigger(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    // While backing off after failures, wait for the backoff to end: a failing host is not hammered.
    if (this.failures > 0) {
      this.dirty = true;
      return;
    }
    this.schedule(0);
  }

  /** Stop scheduling and wait for a run in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.runOnce();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private runOnce(): void {
    if (this.stopped || this.inFlight) return;
    this.dirty = false;
    this.inFlight = this.opts.run().then(
      (result) => {
        this.failures = 0;
        return this.dirty ? 0 : Math.min(this.opts.intervalMs, result.retryInMs ?? Infinity);
      },
      (error: unknown) => {
        this.failures += 1;
        const base = this.opts.backoffBaseMs ?? 200;
        const delay = Math.min(base * 2 ** (this.failures - 1), this.opts.backoffMaxMs ?? 5000);
        this.opts.onError?.(error, delay);
        return delay;
      },
    ).then((next) => {
      this.runs += 1;
      this.inFlight = null;
      this.schedule(Math.max(0, next));
    });
  }
}
